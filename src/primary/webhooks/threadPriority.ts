import { readlinkSync } from 'node:fs';
import os from 'node:os';

/**
 * The sender thread's niceness. Webhook HTTP costs about as much CPU per event as the primary's
 * own work for it (docs/benchmarks.md section 10), and it is the one thing there that can wait a
 * few milliseconds: at nice 10 the scheduler runs the primary's main thread (every chat commit)
 * and the room workers (fan-out) first when they share a core, and the sender thread still has
 * every cycle they leave.
 */
export const SENDER_THREAD_NICE = 10;

/**
 * Lowers the calling thread's scheduling priority (Linux: a thread has its own niceness, set by
 * its thread id, read from /proc/thread-self). Elsewhere, or where it is refused, the thread keeps
 * the process's priority: returns whether it changed.
 */
export function lowerThisThreadsPriority(nice = SENDER_THREAD_NICE): boolean {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (!Number.isInteger(threadId) || threadId <= 0) return false;
    os.setPriority(threadId, Math.max(os.getPriority(threadId), nice));
    return true;
  } catch {
    return false;
  }
}
