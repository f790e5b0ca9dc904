/**
 * What the primary was doing while a measurement ran, from the admin /metrics: its event-loop
 * delay (the gauge is the p99 since the previous scrape, so it is scraped every 250 ms and the
 * samples kept) and its group commits of chat messages (count, mean time, share over 10 ms).
 * Fan-out waits for the commit, so these tell a slow commit from a late event loop.
 */
import { percentile } from './processes.js';

export interface PrimaryProbe {
  /** Event-loop delay p99 per 250 ms sample: median and worst sample, ms. */
  readonly lagMedianMs: number;
  readonly lagMaxMs: number;
  readonly commits: number;
  readonly commitMeanMs: number;
  /** Share of the commits that took more than 10 ms. */
  readonly commitsOver10ms: number;
}

interface CommitHistogram {
  readonly count: number;
  readonly sum: number;
  readonly upTo10ms: number;
}

async function scrape(adminPort: number): Promise<{ lagMs: number | null; commits: CommitHistogram }> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`, { headers: { 'x-api-key': 'BENCH_ADMIN' } })).text();
  const value = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? 0);
  const lag = /^chatserver_event_loop_lag_seconds\{process="primary"\} (\S+)$/m.exec(text);
  return {
    lagMs: lag ? Number(lag[1]) * 1000 : null,
    commits: {
      count: value(/^chatserver_commit_seconds_count\{result="ok"\} (\S+)$/m),
      sum: value(/^chatserver_commit_seconds_sum\{result="ok"\} (\S+)$/m),
      upTo10ms: value(/^chatserver_commit_seconds_bucket\{le="0\.01",result="ok"\} (\S+)$/m),
    },
  };
}

/** Starts scraping; `stop()` ends it and sums up the span. */
export async function probePrimary(adminPort: number): Promise<{ stop: () => Promise<PrimaryProbe> }> {
  const first = await scrape(adminPort);
  const lags: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const { lagMs } = await scrape(adminPort);
      if (lagMs !== null) lags.push(lagMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      const last = (await scrape(adminPort)).commits;
      const commits = last.count - first.commits.count;
      const round = (ms: number) => Math.round(ms * 10) / 10;
      return {
        lagMedianMs: round(percentile(lags, 50)),
        lagMaxMs: round(Math.max(0, ...lags)),
        commits,
        commitMeanMs: round(commits > 0 ? ((last.sum - first.commits.sum) * 1000) / commits : 0),
        commitsOver10ms: commits > 0 ? Math.round((1 - (last.upTo10ms - first.commits.upTo10ms) / commits) * 1000) / 1000 : 0,
      };
    },
  };
}
