import { WebhookMetrics } from './webhooks/WebhookMetrics.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ServerStats } from './ServerStats.js';
import { WorkerTotals } from './WorkerTotals.js';
import type { WorkerCounters } from '../contracts/WorkerCounters.js';

/** Counters that workers keep, and the metric each becomes (all `_total`, summed over workers). */
const WORKER_COUNTERS: ReadonlyArray<[keyof WorkerCounters, string, string]> = [
  ['messagesIn', 'chatserver_messages_in_total', 'Chat messages accepted from clients'],
  ['deliveries', 'chatserver_deliveries_total', 'Frames written to chat clients by broadcasts'],
  ['slowConsumers', 'chatserver_slow_consumers_total', 'Chat clients dropped for not reading (close 4008)'],
  ['rateLimited', 'chatserver_rate_limited_total', 'Chat frames refused by the rate limit'],
  ['historyBusy', 'chatserver_history_busy_total', 'History requests refused with HISTORY_BUSY'],
  ['ingestBytes', 'chatserver_ingest_bytes_total', 'Media bytes received from producers'],
  ['streamsStarted', 'chatserver_streams_started_total', 'ffmpeg processes started for live streams'],
  ['ffmpegFailures', 'chatserver_ffmpeg_failures_total', 'ffmpeg exits that were not a clean end of stream'],
  ['recordingFailures', 'chatserver_recording_write_failures_total', 'Recordings stopped early by a failed write (a full disk, no permission)'],
  ['hlsHoldsRefused', 'chatserver_hls_holds_refused_total', 'Blocking LL-HLS requests refused by the per-address or per-room bound'],
  ['hlsHoldsExpired', 'chatserver_hls_holds_expired_total', 'Blocking LL-HLS requests answered 503 because the part they waited for did not come in time'],
  ['authHookCalls', 'chatserver_auth_hook_calls_total', 'Requests made to the join and publish hook (AUTH_HOOK_URL)'],
  ['authHookCached', 'chatserver_auth_hook_cached_total', 'Joins and publishes answered from the auth hook cache'],
  ['authHookDenied', 'chatserver_auth_hook_denied_total', 'Auth hook answers that refused a join or publish (403)'],
  ['authHookFailures', 'chatserver_auth_hook_failures_total', 'Auth hook calls that timed out, failed or answered something unusable'],
];

/** A counter whose value comes from elsewhere (the stats): set at each scrape. */
function setCounter(counter: Counter, value: number, labels: Record<string, string> = {}): void {
  counter.remove(labels);
  counter.inc(labels, value);
}

/**
 * `GET /metrics` on the admin port: Prometheus text built at each scrape from the primary's
 * stats (which ask every worker for its own figures and counters), plus the primary's own process
 * metrics and store latency. One registry per Primary: no global state.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #totals = new WorkerTotals();
  readonly #storeSeconds: Histogram<'kind'>;
  readonly #commitSeconds: Histogram<'result'>;
  readonly #commitMessages: Histogram;
  readonly #gauges;
  readonly #counters;
  readonly #workerCounters: Map<keyof WorkerCounters, Counter>;

  readonly #webhooks = new WebhookMetrics(this.registry);

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'chatserver_primary_' });
    this.#storeSeconds = new Histogram({
      name: 'chatserver_store_operation_seconds',
      help: 'Store call latency seen by the primary',
      labelNames: ['kind'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.#commitSeconds = new Histogram({
      name: 'chatserver_commit_seconds',
      help: 'Time for one group commit of chat messages to become durable',
      labelNames: ['result'],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.#commitMessages = new Histogram({
      name: 'chatserver_commit_batch_messages',
      help: 'Chat messages in one group commit',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
      registers,
    });
    const gauge = <L extends string = never>(name: string, help: string, labelNames: L[] = []) => new Gauge<L>({ name, help, labelNames, registers });
    const counter = <L extends string = never>(name: string, help: string, labelNames: L[] = []) => new Counter<L>({ name, help, labelNames, registers });
    this.#gauges = {
      rooms: gauge('chatserver_rooms', 'Rooms by status', ['status']),
      connections: gauge('chatserver_connections', 'Open chat connections'),
      viewers: gauge('chatserver_viewers', 'Chat clients plus recent HLS players'),
      live: gauge('chatserver_live_streams', 'Rooms streaming now'),
      workers: gauge('chatserver_workers', 'Room workers by state', ['state']),
      accepting: gauge('chatserver_accepting', '1 when the server takes new rooms, 0 while draining'),
      lag: gauge('chatserver_event_loop_lag_seconds', 'Event-loop delay p99 since the previous scrape', ['process']),
      workerRss: gauge('chatserver_worker_rss_bytes', 'Resident memory of each room worker', ['worker']),
      hlsHeld: gauge('chatserver_hls_held_requests', 'Low-Latency HLS requests held now (blocking playlist reloads and hinted parts), per room worker', ['worker']),
      heldMessages: gauge('chatserver_messages_pending', 'Chat messages waiting for their commit (their senders wait for the acknowledgement)'),
      journal: gauge('chatserver_store_journal_entries', 'Writes in the local journal that MongoDB has not taken yet'),
      setAside: gauge('chatserver_store_journal_set_aside', 'Journaled writes MongoDB refused for good, kept aside in the journal for an operator'),
      storeUp: gauge('chatserver_store_up', '1 while the store answers, 0 during an outage'),
      portsUsed: gauge('chatserver_room_ports_used', 'Room ports in use'),
      recordings: gauge('chatserver_recordings', 'Recordings stored'),
      recordingBytes: gauge('chatserver_recordings_bytes', 'Bytes of the recordings stored (RECORDINGS_DIR)'),
    };
    this.#counters = {
      restarts: counter('chatserver_worker_restarts_total', 'Room workers replaced after dying'),
      stored: counter('chatserver_messages_stored_total', 'Chat messages committed durably to the store'),
      storeFailures: counter('chatserver_store_write_failures_total', 'Group commits that failed (their senders got NOT_PERSISTED)'),
      duplicates: counter('chatserver_messages_resent_total', 'Resent messages (same ref) answered with the first acknowledgement'),
      refused: counter('chatserver_messages_refused_total', 'Messages refused because too many waited for the store'),
      expired: counter('chatserver_messages_expired_total', 'Messages refused because they reached the primary after their deadline'),
      pruned: counter('chatserver_messages_pruned_total', 'Stored messages deleted by history retention'),
      recordingsDeleted: counter('chatserver_recordings_deleted_total', 'Recordings deleted (retention, operators, deleted rooms)'),
      recordingsSealed: counter('chatserver_recordings_sealed_total', 'Recordings left open (a crash, a dead worker) sealed from disk'),
      storeErrors: counter('chatserver_store_errors_total', 'Store calls that failed'),
      cacheRefreshes: counter('chatserver_cache_refreshes_total', 'Cache reloads from the store'),
      cacheFailures: counter('chatserver_cache_refresh_failures_total', 'Cache reloads that failed'),
    };
    this.#workerCounters = new Map(WORKER_COUNTERS.map(([key, name, help]) => [key, counter(name, help)]));
  }

  /** For the counting store: one observation per store call. */
  observeStore(kind: 'read' | 'write', ms: number): void {
    this.#storeSeconds.observe({ kind }, ms / 1000);
  }

  /** For the message committer: one observation per group commit. */
  observeCommit(messages: number, ms: number, ok: boolean): void {
    this.#commitSeconds.observe({ result: ok ? 'ok' : 'failed' }, ms / 1000);
    this.#commitMessages.observe(messages);
  }

  /** Refreshes every metric from the stats, then renders the registry. */
  async render(stats: ServerStats, primaryLagMs: number): Promise<string> {
    this.#webhooks.update(stats.webhooks);
    const g = this.#gauges;
    g.rooms.reset();
    g.rooms.set({ status: 'open' }, stats.rooms.open);
    g.rooms.set({ status: 'other' }, stats.rooms.total - stats.rooms.open);
    g.connections.set(stats.rooms.clients);
    g.viewers.set(stats.rooms.viewers);
    g.live.set(stats.rooms.live);
    g.accepting.set(stats.accepting ? 1 : 0);
    g.heldMessages.set(stats.messages.waiting);
    g.portsUsed.set(stats.ports.used);
    g.recordings.set(stats.recordings.count);
    g.recordingBytes.set(stats.recordings.bytes);
    g.journal.set(stats.store.journalEntries);
    g.setAside.set(stats.store.journalSetAside);
    g.storeUp.set(stats.store.up ? 1 : 0);
    g.workers.reset();
    g.workerRss.reset();
    g.lag.reset();
    g.lag.set({ process: 'primary' }, primaryLagMs / 1000);
    for (const worker of stats.workers) {
      g.workers.inc({ state: worker.state });
      if (worker.rssBytes !== null) g.workerRss.set({ worker: String(worker.index) }, worker.rssBytes);
      if (worker.eventLoopLagMs !== null) g.lag.set({ process: `worker-${worker.index}` }, worker.eventLoopLagMs / 1000);
      if (worker.hlsHeld !== null) g.hlsHeld.set({ worker: String(worker.index) }, worker.hlsHeld);
    }
    const c = this.#counters;
    setCounter(c.restarts, stats.workers.reduce((sum, worker) => sum + worker.restarts, 0));
    setCounter(c.stored, stats.messages.committed);
    setCounter(c.storeFailures, stats.messages.commitFailures);
    setCounter(c.duplicates, stats.messages.duplicates);
    setCounter(c.refused, stats.messages.refused);
    setCounter(c.expired, stats.messages.expired);
    setCounter(c.pruned, stats.retention.pruned);
    setCounter(c.recordingsDeleted, stats.recordings.deleted);
    setCounter(c.recordingsSealed, stats.recordings.sealed);
    setCounter(c.storeErrors, stats.store.errors);
    setCounter(c.cacheRefreshes, stats.cache.refreshes);
    setCounter(c.cacheFailures, stats.cache.failures);
    this.#totals.update(
      stats.workers.flatMap((worker) => (worker.pid !== null && worker.counters !== null ? [{ pid: worker.pid, counters: worker.counters }] : [])),
    );
    const totals = this.#totals.totals();
    for (const [key, counter] of this.#workerCounters) setCounter(counter, totals[key]);
    return this.registry.metrics();
  }
}
