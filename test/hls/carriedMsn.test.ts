import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clearFolderKeepingMsn, savedNextMsn, saveNextMsn } from '../../src/hls/ll/carriedMsn.js';

/** The media sequence a room's LL stream reached, kept in its HLS folder from one worker to the next. */
describe('carriedMsn', () => {
  const dirs: string[] = [];
  const folder = async () => {
    const base = await mkdtemp(path.join(tmpdir(), 'carried-msn-'));
    dirs.push(base);
    return path.join(base, 'room');
  };
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the number through the folder clean-up a new worker does, and nothing else', async () => {
    const dir = await folder();
    expect(await savedNextMsn(dir)).toBe(0);
    expect(await saveNextMsn(dir, 1234)).toBe(true);
    await writeFile(path.join(dir, 'stale-seg-1.m4s'), 'old');
    await clearFolderKeepingMsn(dir);
    expect(await savedNextMsn(dir)).toBe(1234);
    expect(await readdir(dir)).toEqual(['ll-next-msn']);
  });

  it('starts from 0 when the file is missing or not a whole number, and clears a folder without one', async () => {
    const dir = await folder();
    await clearFolderKeepingMsn(dir);
    expect(await savedNextMsn(dir)).toBe(0);
    await saveNextMsn(dir, 5);
    await writeFile(path.join(dir, 'll-next-msn'), '-3');
    expect(await savedNextMsn(dir)).toBe(0);
    await writeFile(path.join(dir, 'll-next-msn'), 'x');
    expect(await savedNextMsn(dir)).toBe(0);
  });

  it('is taken by the broadcast that numbers from it, so a crash of that worker leaves no stale number behind', async () => {
    const dir = await folder();
    await saveNextMsn(dir, 100);
    expect(await savedNextMsn(dir, true)).toBe(100);
    // The worker that took it saves where its broadcast got to when it closes; killed instead, it saves nothing.
    expect(await savedNextMsn(dir)).toBe(0);
  });
});
