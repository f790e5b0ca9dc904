/**
 * Child process of bench/store.ts, started fresh after the seeding one exited: opens the store,
 * reads the busy room's newest history page and a page a quarter of the way back, `calls`
 * times each, and reports the times and this process's resident memory. Prints one JSON line.
 *
 *   node --import tsx bench/store/read.ts DATA_DIR QUARTER_BEFORE_ID CALLS
 */
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import { percentile } from '../lib/processes.js';
import { BUSY_ROOM, type ReadFigures } from './layout.js';

const PAGE = 50;
const [dataDir, quarterBeforeId, callsArg] = process.argv.slice(2);
if (!dataDir || !quarterBeforeId || !callsArg) throw new Error('usage: read.ts DATA_DIR QUARTER_BEFORE_ID CALLS');
const calls = Number(callsArg);

/** Milliseconds each of `count` calls took; checks every page is full. */
async function timeCalls(count: number, read: () => Promise<unknown[]>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const page = await read();
    times.push(performance.now() - started);
    if (page.length !== PAGE) throw new Error(`a history page held ${page.length} messages, not ${PAGE}`);
  }
  return times;
}

const rssBeforeOpenBytes = process.memoryUsage().rss;
const store = new SqliteStore(dataDir);
const opening = performance.now();
await store.open();
const openMs = performance.now() - opening;

const newest = () => store.listMessages(BUSY_ROOM, { limit: PAGE });
const quarter = () => store.listMessages(BUSY_ROOM, { before: quarterBeforeId, limit: PAGE });
const [newestFirstMs] = await timeCalls(1, newest);
const [quarterFirstMs] = await timeCalls(1, quarter);
const newestMs = await timeCalls(calls, newest);
const quarterMs = await timeCalls(calls, quarter);
const rssAfterReadsBytes = process.memoryUsage().rss;

const closing = performance.now();
await store.close();
const figures: ReadFigures = {
  rssBeforeOpenBytes,
  openMs,
  newestFirstMs: newestFirstMs!,
  newestP50Ms: percentile(newestMs, 50),
  newestP99Ms: percentile(newestMs, 99),
  quarterFirstMs: quarterFirstMs!,
  quarterP50Ms: percentile(quarterMs, 50),
  quarterP99Ms: percentile(quarterMs, 99),
  calls,
  rssAfterReadsBytes,
  closeMs: performance.now() - closing,
};
console.log(JSON.stringify(figures));
