import type { CacheCounters } from './DataCache.js';
import type { IngestCapabilities } from './IngestCapabilities.js';
import type { MessageCommitterCounters } from './MessageCommitter.js';
import type { PrunerCounters } from './HistoryPruner.js';
import type { StoreCounters } from '../store/CountingStore.js';
import type { StoreKind } from '../store/Store.js';
import type { SlotState } from './WorkerPool.js';
import type { WorkerCounters } from '../contracts/WorkerCounters.js';
import type { RecordingStats } from './PrimaryRecordings.js';
import type { WebhookStats } from './webhooks/WebhookMetrics.js';

/** `GET /api/v1/stats` on the admin port. */
export interface ServerStats {
  readonly uptimeS: number;
  readonly accepting: boolean;
  readonly workers: ReadonlyArray<{
    index: number;
    pid: number | null;
    state: SlotState;
    restarts: number;
    rooms: number;
    rssBytes: number | null;
    cacheVersion: number | null;
    eventLoopLagMs: number | null;
    /** Low-Latency HLS requests held now. */
    hlsHeld: number | null;
    counters: Readonly<WorkerCounters> | null;
  }>;
  readonly rooms: { total: number; open: number; clients: number; viewers: number; live: number };
  readonly ports: { first: number; last: number; used: number };
  /**
   * `up`: the store answers (always for the embedded one); `journalEntries`: writes MongoDB has
   * not taken yet; `journalSetAside`: journaled writes MongoDB refused for good (kept, see docs/operations.md).
   */
  readonly store: { kind: StoreKind; up: boolean; journalEntries: number; journalSetAside: number } & Readonly<StoreCounters>;
  readonly messages: Readonly<MessageCommitterCounters>;
  /** History retention: pruning passes, messages pruned, failed passes. */
  readonly retention: Readonly<PrunerCounters>;
  /** Recordings stored (count, bytes, being made) and since this start: sealed from disk, deleted. */
  readonly recordings: RecordingStats;
  readonly cache: { version: number; loadedAt: string | null } & Readonly<CacheCounters>;
  readonly memory: { rssBytes: number; heapUsedBytes: number };
  /** Ingest protocols the ffmpeg build allows (`srt`). */
  readonly ingest: IngestCapabilities;
  /** Webhook deliveries: outcomes since the start, and what waits per endpoint. */
  readonly webhooks: WebhookStats;
}
