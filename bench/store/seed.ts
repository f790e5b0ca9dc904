/**
 * Child process of bench/store.ts: fills a fresh DATA_DIR through SqliteStore, as the server
 * would have: 100 rooms (in the rooms table, on ports from `firstRoomPort`), `total` messages
 * in time order, half of them in the busy room and the rest spread over the other 99, written
 * with appendMessages in batches of 1,000 (one transaction, one durable commit each).
 * Prints one JSON line with what it measured.
 *
 *   node --import tsx bench/store/seed.ts DATA_DIR TOTAL FIRST_ROOM_PORT
 */
import { statSync } from 'node:fs';
import { MessageIdGenerator } from '../../src/chat/messageIds.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import { BATCH, BUSY_ROOM, otherRooms, roomNames, type SeedFigures } from './layout.js';

const [dataDir, totalArg, firstPortArg] = process.argv.slice(2);
if (!dataDir || !totalArg || !firstPortArg) throw new Error('usage: seed.ts DATA_DIR TOTAL FIRST_ROOM_PORT');
const total = Number(totalArg);
const firstRoomPort = Number(firstPortArg);

const store = new SqliteStore(dataDir);
await store.open();
// One message a second, ending now: a long-lived server's history, and only the last ten
// minutes' refs (what a start loads to recognise resends) are recent.
const start = Date.now() - total * 1000;
const names = roomNames();
for (const [i, name] of names.entries()) await store.saveRoom({ name, port: firstRoomPort + i, settings: {}, createdAt: start - 1000 });

const others = otherRooms();
const busyTotal = Math.ceil(total / 2);
// The id a quarter of the way back from the busy room's newest message: the `before` of the deep page.
const quarterIndex = busyTotal - Math.floor(busyTotal / 4);
let quarterBeforeId = '';
let busyIndex = 0;
const ids = new MessageIdGenerator();
let storeMs = 0;
const started = performance.now();
for (let first = 0; first < total; first += BATCH) {
  const batch: ChatMessageRecord[] = [];
  for (let i = first; i < Math.min(total, first + BATCH); i++) {
    const room = i % 2 === 0 ? BUSY_ROOM : others[(i >> 1) % others.length]!;
    const { id, ts } = ids.next(start + i * 1000);
    if (room === BUSY_ROOM && busyIndex++ === quarterIndex) quarterBeforeId = id;
    batch.push({ room, id, user: `user-${i % 997}`, name: `User ${i % 997}`, text: `message ${i} `.padEnd(80, '.'), ts, ref: String(i) });
  }
  const committing = performance.now();
  await store.appendMessages(batch);
  storeMs += performance.now() - committing;
}
const seconds = (performance.now() - started) / 1000;
const closing = performance.now();
await store.close();
const closeMs = performance.now() - closing;

const figures: SeedFigures = {
  messages: total,
  busyMessages: busyTotal,
  batches: Math.ceil(total / BATCH),
  seconds,
  perSecond: total / seconds,
  storePerSecond: total / (storeMs / 1000),
  closeMs,
  fileBytes: statSync(store.file).size,
  rssBytes: process.memoryUsage().rss,
  quarterBeforeId,
  quarterDepth: busyTotal - quarterIndex,
};
console.log(JSON.stringify(figures));
