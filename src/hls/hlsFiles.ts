import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { writeHlsHead } from './hlsResponse.js';

/** Read size when streaming a big file: fewer, larger socket writes than the 64 KiB default, still bounded per request. */
const STREAM_CHUNK_BYTES = 256 * 1024;

/** An open regular file and its size, or null when it is missing, a symlink (O_NOFOLLOW) or not a regular file. */
export async function openHlsFile(file: string): Promise<{ handle: FileHandle; size: number } | null> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const stat = await handle.stat();
    if (stat.isFile()) return { handle, size: stat.size };
  } catch {
    // closed below
  }
  await handle.close().catch(() => undefined);
  return null;
}

/**
 * Streams an open file from disk with backpressure (never read whole), honouring a single
 * `Range` (206, or 416) and HEAD. The handle is closed however the answer ends.
 */
export async function sendHlsFile(req: IncomingMessage, res: ServerResponse, handle: FileHandle, size: number, headers: Record<string, string>): Promise<void> {
  try {
    const span = writeHlsHead(req, res, size, headers);
    if (!span) return;
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    // pipeline waits for the socket to take each chunk; autoClose off: the handle is closed below.
    await pipeline(handle.createReadStream({ start: span.start, end: span.end, highWaterMark: STREAM_CHUNK_BYTES, autoClose: false }), res).catch(() => res.destroy());
  } finally {
    await handle.close().catch(() => undefined);
  }
}
