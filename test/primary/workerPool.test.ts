import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool, type WorkerSlot } from '../../src/primary/WorkerPool.js';
import { fakeFork, type FakeBehaviour } from './fakeWorkers.js';

/** Log lines at warn and above, as objects. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('WorkerPool (fake worker processes)', () => {
  const pools: WorkerPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.stop('test over')));
  });

  function poolOf(size: number, behaviour: FakeBehaviour = {}) {
    const fakes = fakeFork(behaviour);
    const { logger, lines } = capturingLogger();
    const setUp: number[] = [];
    const pool = new WorkerPool({ size, logger, env: { SECRET: undefined }, fork: fakes.fork, setupChannel: (_channel, slot) => setUp.push(slot.index) });
    pools.push(pool);
    const events: string[] = [];
    pool.on('ready', (slot) => events.push(`ready ${slot.index}`));
    pool.on('died', (slot, code, signal) => events.push(`died ${slot.index} ${code ?? signal}`));
    return { pool, ...fakes, lines, setUp, events };
  }

  it('forks every worker with its slot, sets up each channel before use, and starts once all are ready', async () => {
    const { pool, forked, setUp, events } = poolOf(3);
    await pool.start();
    expect(forked.map((worker) => worker.env)).toEqual([0, 1, 2].map((slot) => ({ SECRET: undefined, CHATSERVER_WORKER_SLOT: String(slot) })));
    expect(setUp).toEqual([0, 1, 2]);
    expect(events.sort()).toEqual(['ready 0', 'ready 1', 'ready 2']);
    expect(pool.readySlots().map((slot) => slot.pid)).toEqual(forked.map((worker) => worker.pid));
  });

  it('replaces a worker that dies: at once the first time, then later and later while it keeps dying young', async () => {
    const { pool, forked, latest, events } = poolOf(1);
    await pool.start();
    const forkedAt: number[] = [Date.now()];
    const replaced = (count: number) =>
      new Promise<WorkerSlot>((resolve) => {
        const onReady = (slot: WorkerSlot) => {
          if (forked.length < count) return;
          pool.off('ready', onReady);
          forkedAt.push(Date.now());
          resolve(slot);
        };
        pool.on('ready', onReady);
      });
    for (let crash = 1; crash <= 3; crash++) {
      const next = replaced(crash + 1);
      latest(0).exit(1, null);
      const slot = await next;
      expect(slot.restarts).toBe(crash);
      expect(slot.pid).toBe(latest(0).pid);
    }
    const waits = forkedAt.slice(1).map((at, i) => at - forkedAt[i]!);
    // restartDelay: 0 for the first death, then 250 ms, 500 ms... (the first gap is the test's own pace).
    expect(waits[1]).toBeGreaterThanOrEqual(240);
    expect(waits[2]).toBeGreaterThanOrEqual(490);
    expect(waits[1]).toBeLessThan(waits[2]!);
    expect(events.filter((event) => event.startsWith('died'))).toEqual(['died 0 1', 'died 0 1', 'died 0 1']);
  });

  it('replaces a worker on purpose without counting a crash: it is asked to close its rooms, and the restart resolves when its successor is ready', async () => {
    const { pool, forked, events } = poolOf(2);
    await pool.start();
    const [first] = forked;
    first!.rooms.set('r', { port: 1, epoch: 1 });
    await pool.restart(0, 'rolling restart');
    expect(first!.requests).toEqual(['worker.shutdown restart']);
    expect(first!.dead).toBe(true);
    expect(forked).toHaveLength(3);
    expect(pool.slots[0]).toMatchObject({ state: 'ready', pid: forked[2]!.pid, restarts: 0, quickCrashes: 0 });
    expect(events.slice(2)).toEqual(['died 0 0', 'ready 0']);
  });

  it('stops every worker in order (asked to close its rooms, then let go) and forks no replacement', async () => {
    const { pool, forked } = poolOf(2);
    await pool.start();
    await pool.stop('shutdown');
    expect(forked.map((worker) => [worker.requests, worker.dead])).toEqual([
      [['worker.shutdown'], true],
      [['worker.shutdown'], true],
    ]);
    expect(pool.slots.map((slot) => slot.state)).toEqual(['stopped', 'stopped']);
    expect(forked).toHaveLength(2);
  });

  it("pipes a worker's stderr into the log, line by line", async () => {
    const { pool, forked, lines } = poolOf(1);
    await pool.start();
    forked[0]!.stderr.write('Segmentation fault\nsecond line\n');
    await expect.poll(() => lines.filter((line) => line.stream === 'stderr').map((line) => [line.msg, line.worker, line.pid])).toEqual([
      ['Segmentation fault', 0, forked[0]!.pid],
      ['second line', 0, forked[0]!.pid],
    ]);
  });
});
