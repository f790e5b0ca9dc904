/**
 * Starts bench/lib/webhookSinkChild.ts in its own Node process on the load generator's core and
 * talks to it over IPC: the bench reads the receiver's figures without receiving the requests on
 * its own event loop. The receiver stands for a service on another machine, so it runs at the
 * lowest CPU priority (nice 19): its 1,000 requests a second take the core only when the load
 * generator's fan-out receivers leave it idle, instead of delaying the latencies they measure.
 * Its own figures (event to first request) can only grow by it: they are conservative.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { HAS_TASKSET } from './processes.js';
import type { SinkCall, SinkFigures } from './webhookSinkChild.js';

export interface RemoteWebhookSink {
  readonly url: (path: string) => string;
  /** Registers a path answering after `delayMs`. */
  path(path: string, delayMs: number): Promise<void>;
  figures(path: string): Promise<SinkFigures>;
  close(): void;
}

type SinkAnswer = { id: number; base?: string; figures?: SinkFigures };

export async function startRemoteWebhookSink(): Promise<RemoteWebhookSink> {
  const script = fileURLToPath(new URL('./webhookSinkChild.ts', import.meta.url));
  const child = HAS_TASKSET
    ? fork(script, [], { execPath: 'taskset', execArgv: ['-c', '1', process.execPath, '--import', 'tsx'] })
    : fork(script, [], { execArgv: ['--import', 'tsx'] });
  if (child.pid !== undefined) os.setPriority(child.pid, 19);
  const pending = new Map<number, { resolve: (answer: SinkAnswer) => void; reject: (error: Error) => void }>();
  child.on('message', (answer: SinkAnswer) => {
    pending.get(answer.id)?.resolve(answer);
    pending.delete(answer.id);
  });
  child.once('exit', (code) => {
    for (const { reject } of pending.values()) reject(new Error(`webhook sink exited with ${code}`));
    pending.clear();
  });
  let nextId = 0;
  /** Sends `call` and waits for its answer; with no call, waits for the child's first message (id 0). */
  const ask = (call: SinkCall | null): Promise<SinkAnswer> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      if (call) child.send({ ...call, id });
    });
  const { base } = await ask(null);
  return {
    url: (path) => `${base}${path}`,
    path: async (path, delayMs) => void (await ask({ op: 'path', path, delayMs })),
    figures: async (path) => {
      const { figures } = await ask({ op: 'figures', path });
      if (!figures) throw new Error(`webhook sink has no path ${path}`);
      return figures;
    },
    close: () => child.kill(),
  };
}
