import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';

/** Event-loop delay of this process: the p99 since the previous reading, in milliseconds. */
export class EventLoopLag {
  readonly #histogram: ELDHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    this.#histogram.enable();
  }

  readP99Ms(): number {
    const p99 = this.#histogram.percentile(99) / 1e6;
    this.#histogram.reset();
    return Number.isFinite(p99) ? Math.round(p99 * 100) / 100 : 0;
  }
}
