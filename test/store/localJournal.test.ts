import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalJournal } from '../../src/store/journal/LocalJournal.js';
import { message } from '../helpers/journaledFixture.js';

describe('LocalJournal', () => {
  let dir: string;
  let journal: LocalJournal;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'local-journal-'));
    journal = new LocalJournal(dir, 100_000);
    journal.open();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    journal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the recent messages with a ref without reading every journaled message', () => {
    const now = Date.now();
    journal.appendMessages(Array.from({ length: 5_000 }, (_, i) => message('r', i, { ts: now - 60_000 })));
    journal.appendMessages([message('r', 5_000, { ts: now - 60_000, ref: '"old"' }), message('r', 5_001, { ts: now, ref: '"a"' })]);
    journal.appendMessages(Array.from({ length: 1_000 }, (_, i) => message('s', i, { ts: now })));
    journal.appendMessages([message('s', 1_000, { ts: now, ref: '"b"' })]);
    const parse = vi.spyOn(JSON, 'parse');
    const found = journal.messagesWithRef(now - 1_000);
    expect(found.map((m) => [m.room, m.id, m.ref])).toEqual([
      ['r', 'm005001', '"a"'],
      ['s', 'm001000', '"b"'],
    ]);
    // Only what is returned is parsed: the filter runs in SQL.
    expect(parse.mock.calls.length).toBeLessThanOrEqual(2);
  });

  it('writes outbox rows without a room, and reads a kind it does not know as nothing to do, never as a delete', () => {
    const event = { id: 'msg_1', type: 'user.joined' as const, room: 'lobby', timestamp: 1, data: {} };
    journal.appendOutbox([{ event, endpoints: ['ep_a'] }]);
    journal.close();
    // A newer release's kind, left in the journal by a rollback.
    const db = new DatabaseSync(journal.file);
    expect(db.prepare("SELECT room FROM entries WHERE kind = 'outbox'").all()).toEqual([{ room: '' }]);
    db.prepare("INSERT INTO entries (kind, room, id, ts, body) VALUES ('fromTheFuture', 'lobby', NULL, NULL, '{}')").run();
    db.close();
    journal.open();
    expect(journal.oldest(10).map((entry) => [entry.kind, entry.kind === 'outbox' ? entry.entries.length : null])).toEqual([
      ['outbox', 1],
      ['outbox', 0],
    ]);
  });
});

