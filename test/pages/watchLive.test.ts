import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from '../helpers/axe.js';
import { launchChromium, recordCspViolations } from '../helpers/browser.js';
import { startTestPattern, type TestPublisher } from '../helpers/media.js';
import { PHONE, shownState } from '../helpers/pageLayout.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** The watch page while a room is live, when it ends and when its stream breaks (Chromium + hls.js, real ffmpeg). */
describe('watch page live states (Chromium + hls.js)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  const publishers: TestPublisher[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([start({ workers: 1 }), launchChromium()]);
  });
  afterAll(async () => {
    for (const publisher of publishers) publisher.child.kill('SIGKILL');
    await browser?.close();
  });

  const publish = async (port: number, room: string, seconds: number): Promise<TestPublisher> => {
    const token = await server.token(room, 'producer1', 'producer');
    const publisher = await startTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, seconds);
    publishers.push(publisher);
    return publisher;
  };

  const openWatch = async (room: string, viewport?: { width: number; height: number }): Promise<Page> => {
    const page = await browser.newPage(viewport ? { viewport } : {});
    page.on('pageerror', (error) => problems.push(error.message));
    await recordCspViolations(page, problems);
    await page.goto(`http://127.0.0.1:${server.port}/watch/${room}`);
    await page.waitForSelector('.stream-state');
    return page;
  };

  const currentTime = (page: Page) => page.evaluate<number>("document.querySelector('video')?.currentTime ?? 0");

  it('shows LIVE, the viewer count, the latency and a “Click to unmute” button; then the ended state with the recording', async () => {
    const port = (await server.createRoom('livestates')).body.data.port as number;
    const page = await openWatch('livestates');
    await page.waitForSelector('.viewer-count');
    expect(await page.locator('.viewer-count').textContent()).toBe('0 watching');
    const phone = await openWatch('livestates', PHONE);
    const publisher = await publish(port, 'livestates', 10);
    await page.waitForSelector('.live-badge[data-state="live"]:text-is("LIVE")', { timeout: 20_000 });
    await expect.poll(() => currentTime(page), { timeout: 20_000 }).toBeGreaterThan(1);
    expect((await shownState(page, 'video')).shown).toBe(true);
    expect(await page.getAttribute('video', 'poster')).toBe(`http://127.0.0.1:${port}/thumbnail.jpg`);

    // Autoplay is muted: a clear button over the video unmutes it, then goes.
    await page.waitForSelector('.player-unmute:has-text("Click to unmute")');
    expect(await page.evaluate<boolean>("document.querySelector('video').muted")).toBe(true);
    await page.click('.player-unmute');
    expect(await page.evaluate<boolean>("document.querySelector('video').muted")).toBe(false);
    await page.waitForSelector('.player-unmute', { state: 'detached' });

    await page.waitForSelector('.player-latency:has-text("s behind live")');
    expect(await page.locator('.player-latency').textContent()).toMatch(/^\d+\.\d s behind live$/);
    // The players count (the room port's /health viewers: one per address without a chat connection), read every few seconds while live.
    await expect.poll(() => page.locator('.viewer-count').textContent(), { timeout: 15_000 }).toBe('1 watching');

    await phone.waitForSelector('.live-badge[data-state="live"]');
    expect(await seriousAxeViolations(page), 'live, desktop').toEqual([]);
    expect(await seriousAxeViolations(phone), 'live, phone').toEqual([]);

    // The broadcast ends: an ended state (not an empty grey player), with its recording to watch.
    expect((await publisher.done).code).toBe(0);
    await page.waitForSelector('.stream-state[data-state="ended"]:has-text("The stream has ended")', { timeout: 20_000 });
    await page.waitForSelector('.stream-state a.recording-link[href^="/replay/livestates/"]', { timeout: 10_000 });
    expect(await page.locator('.live-badge').textContent()).toBe('Offline');
    expect((await shownState(page, 'video')).shown).toBe(false);
    expect(await seriousAxeViolations(page), 'ended, desktop').toEqual([]);
    await Promise.all([page.close(), phone.close()]);
  });

  it('carries on after a producer’s drop (a discontinuity), waits calmly while the room is away, and plays the next stream', async () => {
    const port = (await server.createRoom('comeback')).body.data.port as number;
    const page = await openWatch('comeback');
    const playlistRequests: number[] = [];
    page.on('request', (request) => request.url().includes('/hls/') && request.url().includes('.m3u8') && playlistRequests.push(Date.now()));
    const first = await publish(port, 'comeback', 60);
    await expect.poll(() => currentTime(page), { timeout: 20_000 }).toBeGreaterThan(2);

    // The producer drops and comes back within the resume wait: same playlist, after a discontinuity.
    first.child.kill('SIGKILL');
    await first.done;
    await publish(port, 'comeback', 60);
    const before = await currentTime(page);
    await expect.poll(() => currentTime(page), { timeout: 20_000 }).toBeGreaterThan(before + 3);
    expect(await page.locator('.live-badge[data-state="live"]').count()).toBe(1);

    // The room's worker dies: its playlist is gone for a while. The player stops asking for it
    // (hls.js's own few retries, then the page waits on /health with backoff), never every second.
    const workerPid = (await server.rooms()).find((room) => room.name === 'comeback')!.workerPid!;
    process.kill(workerPid, 'SIGKILL');
    await expect.poll(async () => (await server.rooms()).some((room) => room.name === 'comeback' && room.status === 'open' && room.workerPid !== workerPid), { timeout: 15_000 }).toBe(true);
    await page.waitForSelector('.stream-state[data-state="ended"], .stream-state[data-state="waiting"]', { timeout: 20_000 });
    const quietFrom = Date.now() + 2_000;
    await page.waitForTimeout(10_000); // a window of wall time in which to count requests: the thing measured is their absence
    const inWindow = playlistRequests.filter((at) => at >= quietFrom).length;
    expect(inWindow).toBeLessThanOrEqual(3);

    // A new stream: the player plays it without a reload of the page.
    await publish(port, 'comeback', 60);
    await page.waitForSelector('.live-badge[data-state="live"]', { timeout: 20_000 });
    const resumedAt = await currentTime(page);
    await expect.poll(() => currentTime(page), { timeout: 20_000 }).toBeGreaterThan(resumedAt + 2);
    await page.close();
  }, 90_000);

  it('reported no page error or CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
