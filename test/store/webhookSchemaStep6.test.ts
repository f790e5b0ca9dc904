import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { idTimePrefix } from '../../src/contracts/timeOrderedIds.js';
import { EVENT_ID_PREFIX } from '../../src/contracts/webhookRecords.js';
import { migrate } from '../../src/store/sqlite/schema.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';

const idAt = (ms: number): string => `${EVENT_ID_PREFIX}${idTimePrefix(ms)}0000abcdef`;

describe('embedded store schema step 6 (deliveries carry their events)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('moves the outbox of a step-5 database into the new deliveries, due ones still due, with their data', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'schema6-'));
    const store = new SqliteStore(dir);
    // A database as the previous version left it: events in their own table, deliveries beside.
    mkdirSync(dir, { recursive: true });
    const old = new DatabaseSync(store.file);
    old.exec('PRAGMA journal_mode = WAL');
    migrate(old, store.file, 5);
    const [a, b] = [idAt(1_000), idAt(2_000)];
    const insertEvent = old.prepare('INSERT INTO webhook_events (id, type, room, timestamp, data) VALUES (?, ?, ?, ?, ?)');
    insertEvent.run(a, 'room.created', 'lobby', 1_000, JSON.stringify({ room: 'lobby', port: 34000 }));
    insertEvent.run(b, 'server.draining', null, 2_000, JSON.stringify({ host: 'chat.example.com' }));
    const insertDelivery = old.prepare(`INSERT INTO webhook_deliveries (endpoint, event, type, room, status, attempts, next_attempt_at, last_status, last_error, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    insertDelivery.run('ep_a', a, 'room.created', 'lobby', 'delivered', 1, null, 204, null, 1_000, 1_001);
    insertDelivery.run('ep_a', b, 'server.draining', null, 'failed', 3, 9_000, 503, 'HTTP 503', 2_000, 2_500);
    insertDelivery.run('ep_b', b, 'server.draining', null, 'pending', 0, 2_000, null, null, 2_000, 2_000);
    old.close();

    await store.open();
    try {
      const w = store.webhooks;
      const due = await w.listDue('ep_a', undefined, 10);
      expect(due).toEqual([
        {
          delivery: { endpoint: 'ep_a', event: b, type: 'server.draining', room: null, status: 'failed', attempts: 3, nextAttemptAt: 9_000, lastStatus: 503, lastError: 'HTTP 503', createdAt: 2_000, updatedAt: 2_500 },
          event: { id: b, type: 'server.draining', room: null, timestamp: 2_000, data: { host: 'chat.example.com' } },
        },
      ]);
      expect((await w.listDue('ep_b', undefined, 10)).map((d) => [d.event.id, d.event.data])).toEqual([[b, { host: 'chat.example.com' }]]);
      expect((await w.listDeliveries('ep_a', { limit: 10 })).map((d) => [d.event, d.status])).toEqual([[b, 'failed'], [a, 'delivered']]);
      // A replay by time finds the moved rows by their events' timestamps.
      expect(await w.requeue('ep_a', { since: 500, until: 1_500 }, 10_000)).toBe(1);
      const tables = store.database.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'webhook%' ORDER BY name").all();
      expect(tables.map((t) => t.name)).toEqual(['webhook_deliveries', 'webhook_endpoints']);
    } finally {
      await store.close();
    }
  });
});
