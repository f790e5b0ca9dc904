/**
 * A viewer page that plays a stream of the painted clock (bench/browser/clock.js) and the
 * glass-to-glass samples read from its <video>: viewer wall clock minus the clock in the frame
 * shown, several times a second. Summaries: percentiles, and drift (the last window's p50 minus
 * the first window's).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { percentile } from './processes.js';

export interface ClockSample {
  /** Seconds since sampling started. */
  readonly t: number;
  readonly latencyMs: number;
  /** hls.js's own estimate of how far it plays behind the live edge. */
  readonly behindEdgeS: number | null;
}

export interface LatencySummary {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly maxMs: number;
  readonly firstWindowP50Ms: number;
  readonly lastWindowP50Ms: number;
  /** Last window's p50 minus the first's: positive is upward drift. */
  readonly driftMs: number;
  readonly behindEdgeP50S: number;
  /** Samples whose blocks did not read as a plausible clock. */
  readonly unreadable: number;
}

const CLOCK_JS = path.join(import.meta.dirname, '../browser/clock.js');
/** A misread block gives an absurd value; a real latency is below a minute. */
const PLAUSIBLE_MS = 60_000;

export class ClockViewer {
  readonly samples: ClockSample[] = [];
  unreadable = 0;

  private constructor(
    readonly name: string,
    readonly page: Page,
  ) {}

  /** Opens the page (the pages' CSP blocks the injected probe unless bypassed) and waits until its video plays. */
  static async open(browser: Browser, name: string, url: string, timeoutMs = 30_000): Promise<ClockViewer> {
    const page = await browser.newPage({ bypassCSP: true });
    await page.goto(url);
    await page.addScriptTag({ path: CLOCK_JS });
    await page.waitForFunction("(document.querySelector('video')?.currentTime ?? 0) > 0.5", undefined, { timeout: timeoutMs });
    return new ClockViewer(name, page);
  }

  async sample(t: number): Promise<void> {
    const read = await this.page.evaluate<{ latencyMs: number; hlsLatencyS: number | null } | null>('window.readClock()');
    if (read && read.latencyMs < PLAUSIBLE_MS) this.samples.push({ t, latencyMs: read.latencyMs, behindEdgeS: read.hlsLatencyS });
    else this.unreadable++;
  }

  summary(windowS: number): LatencySummary {
    const all = this.samples.map((s) => s.latencyMs);
    const end = Math.max(0, ...this.samples.map((s) => s.t));
    const first = this.samples.filter((s) => s.t < windowS).map((s) => s.latencyMs);
    const last = this.samples.filter((s) => s.t >= end - windowS).map((s) => s.latencyMs);
    const edge = this.samples.flatMap((s) => (s.behindEdgeS === null ? [] : [s.behindEdgeS]));
    return {
      samples: all.length,
      p50Ms: percentile(all, 50),
      p90Ms: percentile(all, 90),
      maxMs: Math.max(...all),
      firstWindowP50Ms: percentile(first, 50),
      lastWindowP50Ms: percentile(last, 50),
      driftMs: percentile(last, 50) - percentile(first, 50),
      behindEdgeP50S: Number(percentile(edge, 50).toFixed(2)),
      unreadable: this.unreadable,
    };
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

/** Samples every viewer every `everyMs` for `seconds` (each round waits for all, so rounds never overlap). */
export async function sampleViewers(viewers: readonly ClockViewer[], seconds: number, everyMs: number): Promise<void> {
  const started = performance.now();
  for (let round = 0; ; round++) {
    const due = started + round * everyMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    const t = (performance.now() - started) / 1000;
    if (t > seconds) return;
    await Promise.all(viewers.map((viewer) => viewer.sample(t)));
  }
}
