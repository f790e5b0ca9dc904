import os from 'node:os';

/** Machine load as the load balancers want it: fractions from 0 to 1. */
export function machineLoad(): { cpu: number; memory: number } {
  const cores = os.availableParallelism();
  const cpu = Math.min(1, (os.loadavg()[0] ?? 0) / cores);
  const memory = 1 - os.freemem() / os.totalmem();
  return { cpu: round(cpu), memory: round(memory) };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
