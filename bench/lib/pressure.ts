/**
 * The machine's pressure stall information (Linux PSI): the share of a time span in which some
 * task waited for a CPU or for I/O. This machine is shared, so a step that was slow can say
 * whether the machine was busy with others' work meanwhile. Zero where /proc/pressure is absent.
 */
import { readFileSync } from 'node:fs';

export interface Pressure {
  /** Percent of the span some task waited for a CPU. */
  readonly cpuPct: number;
  /** Percent of the span some task waited for I/O. */
  readonly ioPct: number;
}

function stalledUs(resource: 'cpu' | 'io'): number {
  try {
    const match = /^some .*total=(\d+)$/m.exec(readFileSync(`/proc/pressure/${resource}`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Starts a span; calling the result ends it and returns the pressure over it. */
export function measurePressure(): () => Pressure {
  const started = performance.now();
  const cpu = stalledUs('cpu');
  const io = stalledUs('io');
  return () => {
    const spanUs = (performance.now() - started) * 1000;
    return { cpuPct: ((stalledUs('cpu') - cpu) / spanUs) * 100, ioPct: ((stalledUs('io') - io) / spanUs) * 100 };
  };
}
