import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageIdGenerator } from '../../src/chat/messageIds.js';
import { HistoryAdmin } from '../../src/primary/HistoryAdmin.js';
import { MessageCommitter } from '../../src/primary/MessageCommitter.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';

const silent = pino({ level: 'silent' });

/** `count` messages of a room, one a second, ending a minute ago. */
function messages(room: string, count: number): ChatMessageRecord[] {
  const ids = new MessageIdGenerator();
  const start = Date.now() - 60_000 - count * 1000;
  return Array.from({ length: count }, (_, i) => ({ room, ...ids.next(start + i * 1000), user: 'u', name: 'U', text: `${room} ${i}` }));
}

describe('HistoryAdmin erasing what deleted rooms left behind (a real SQLite store)', () => {
  let dir: string;
  let store: SqliteStore;
  let committer: MessageCommitter;
  let admin: HistoryAdmin;
  let forgotten: string[];
  const live = new Set<string>();

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'history-admin-'));
    store = new SqliteStore(dir);
    await store.open();
    committer = new MessageCommitter({ store, logger: silent });
    forgotten = [];
    live.clear();
    admin = new HistoryAdmin({ store, messages: committer, roomExists: (room) => live.has(room), forgetRecent: (room) => forgotten.push(room), logger: silent });
  });
  afterEach(async () => {
    await committer.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('erases, in batches, the history of every room that no longer exists, and keeps the rest', async () => {
    await store.appendMessages(messages('kept', 30));
    await store.appendMessages(messages('ghost', 1_234));
    await store.appendMessages(messages('another-ghost', 3));
    live.add('kept');
    await admin.eraseOrphans((room) => live.has(room));
    expect(await store.listMessageRooms(undefined, 10)).toEqual(['kept']);
    expect(await store.listMessagesAfter('kept', undefined, 100)).toHaveLength(30);
  });

  it('erases leftovers before a room of the same name opens, with one lookup when there are none', async () => {
    await store.appendMessages(messages('reused', 700));
    expect(await admin.eraseLeftovers('reused')).toBe(700);
    expect(await store.listMessagesAfter('reused', undefined, 10)).toEqual([]);
    expect(await admin.eraseLeftovers('reused')).toBe(0);
    expect(await admin.eraseLeftovers('never-used')).toBe(0);
  });

  it('keeps the messages a new room of the name gets after the erase began', async () => {
    await store.appendMessages(messages('busy', 600));
    const fresh = { room: 'busy', id: new MessageIdGenerator().next(Date.now() + 1_000).id, user: 'u', name: 'U', text: 'new room', ts: Date.now() + 1_000 };
    const erasing = admin.erase('busy');
    await committer.commit([fresh]);
    expect(await erasing).toBe(600);
    expect((await store.listMessagesAfter('busy', undefined, 10)).map((m) => m.text)).toEqual(['new room']);
  });
});
