import os from 'node:os';

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const { user, nice, sys, irq, idle } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + irq + idle;
  }
  return { busy, total };
}

/**
 * Machine load as the load balancers want it: fractions from 0 to 1. CPU is the share of CPU
 * time the whole machine (ffmpeg included) was busy since the previous reading, so it follows
 * the load within one heartbeat, unlike the 1-minute load average.
 */
export class MachineLoad {
  #last = cpuTimes();

  read(): { cpu: number; memory: number } {
    const now = cpuTimes();
    const total = now.total - this.#last.total;
    const cpu = total > 0 ? (now.busy - this.#last.busy) / total : 0;
    this.#last = now;
    const memory = 1 - os.freemem() / os.totalmem();
    return { cpu: round(cpu), memory: round(memory) };
  }
}

function round(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;
}
