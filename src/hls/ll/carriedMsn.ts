import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A room's Low-Latency HLS windows live in its worker's memory and go with it at a rolling
 * restart. The media sequence number they reached is kept in a small file in the room's HLS
 * folder (a name the HLS routes never serve), so the room's next broadcast, in the new worker,
 * numbers on from it as it would in the same worker: a player reloading the same playlist URL
 * sees the sequence go on, and a cache holding a blocking answer for `_HLS_msn=N` of the old
 * broadcast never hands it to the new one's players.
 */
const FILE = 'll-next-msn';

/** Best effort: a number not kept only means the next worker numbers from 0, as after a crash. */
export async function saveNextMsn(dir: string, nextMsn: number): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, FILE), String(nextMsn));
    return true;
  } catch {
    return false;
  }
}

/**
 * The number saved by the room's previous worker, or 0 (none, or unreadable: numbering starts
 * over, as for a new room). `take` removes it: the broadcast about to start numbers from it and
 * this worker saves where that broadcast got to when it closes; a number left behind would be
 * stale after a crash of this worker (a later worker would number again from it).
 */
export async function savedNextMsn(dir: string, take = false): Promise<number> {
  const file = path.join(dir, FILE);
  const text = await readFile(file, 'utf8').catch(() => '');
  if (take && text !== '') await rm(file, { force: true }).catch(() => undefined);
  const value = Number(text.trim());
  return text.trim() !== '' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

/** Empties a room's HLS folder as a new worker opens the room (files of a worker that died mid-stream belong to no stream), keeping the number. */
export async function clearFolderKeepingMsn(dir: string): Promise<void> {
  const carried = await savedNextMsn(dir);
  await rm(dir, { recursive: true, force: true });
  if (carried > 0) await saveNextMsn(dir, carried);
}
