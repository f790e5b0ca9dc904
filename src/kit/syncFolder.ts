import { open } from 'node:fs/promises';

/** Flushes a folder's entries to disk: a file renamed into it is durable under its name once this resolves. */
export async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
