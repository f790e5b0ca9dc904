import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { startTestPattern, type TestPublisher } from '../helpers/media.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** The watch page in Chromium playing an ffmpeg push as Low-Latency HLS (parts, blocking reloads) with hls.js. */
describe('watch page plays Low-Latency HLS (Chromium + hls.js)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  let publisher: TestPublisher | undefined;

  beforeAll(async () => {
    server = await start({ workers: 1 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    publisher?.child.kill('SIGKILL');
    await browser?.close();
  });

  it('plays the live stream from parts in low-latency mode, under 1.5 s behind the live edge', async () => {
    const port = (await server.createRoom('llpage')).body.data.port;
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`http://127.0.0.1:${server.port}/watch/llpage`);
    const token = await server.token('llpage', 'producer1', 'producer');
    publisher = await startTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, 25);
    await expect.poll(() => page.evaluate<number>("document.querySelector('video')?.currentTime ?? 0"), { timeout: 20_000 }).toBeGreaterThan(3);
    const state = await page.evaluate<{ lowLatency: boolean; parts: number; partTarget: number }>(`(() => {
      const hls = window.chatserverPlayer.hls;
      const details = hls.levels[hls.currentLevel >= 0 ? hls.currentLevel : 0].details;
      return { lowLatency: hls.lowLatencyMode, parts: details.partList ? details.partList.length : 0, partTarget: details.partTarget };
    })()`);
    expect(state.lowLatency).toBe(true);
    expect(state.parts).toBeGreaterThan(0);
    expect(state.partTarget).toBeCloseTo(0.2, 2);
    // hls.js's own reading (live edge minus play position), sampled over two seconds of playback.
    const samples: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const before = await page.evaluate<number>("document.querySelector('video').currentTime");
      await expect.poll(() => page.evaluate<number>("document.querySelector('video').currentTime"), { timeout: 5_000, interval: 50 }).toBeGreaterThan(before + 0.2);
      samples.push(await page.evaluate<number>('window.chatserverPlayer.hls.latency'));
    }
    samples.sort((a, b) => a - b);
    expect(samples[Math.floor(samples.length / 2)]).toBeLessThan(1.5);
    expect(samples[0]).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('plays a classic HLS stream (no parts) with the classic target latency, not the default of three segments', async () => {
    const classic = await start({ workers: 1, env: { HLS_MODE: 'classic' } });
    const port = (await classic.createRoom('classicpage')).body.data.port;
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${classic.port}/watch/classicpage`);
    const token = await classic.token('classicpage', 'producer1', 'producer');
    const pusher = await startTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, 15);
    try {
      await expect.poll(() => page.evaluate<number>("document.querySelector('video')?.currentTime ?? 0"), { timeout: 20_000 }).toBeGreaterThan(1);
      // hls.js adds liveSyncOnStallIncrease to its target for every stall (a loaded machine stalls): what is set is the target less those.
      const state = await page.evaluate<{ parts: number; target: number; stalls: number; perStall: number }>(`(() => {
        const hls = window.chatserverPlayer.hls;
        const details = hls.levels[hls.currentLevel >= 0 ? hls.currentLevel : 0].details;
        return { parts: details.partList ? details.partList.length : 0, target: hls.targetLatency, stalls: hls.latencyController.stallCount, perStall: hls.config.liveSyncOnStallIncrease };
      })()`);
      expect(state.parts).toBe(0);
      expect(state.perStall).toBeGreaterThan(0);
      expect(state.target - state.stalls * state.perStall, JSON.stringify(state)).toBeCloseTo(1.5, 6);
    } finally {
      pusher.child.kill('SIGKILL');
      await page.close();
    }
  });
});
