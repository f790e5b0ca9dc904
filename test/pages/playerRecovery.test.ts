import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { startTestPattern, type TestPublisher } from '../helpers/media.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/**
 * The live player's own recovery is bounded (pages/src/player/useLiveHls.ts): buffers that keep
 * refusing the stream, or media errors that keep coming, hand over to the page's /health wait
 * instead of restarting for ever. The errors are raised on the playing hls.js instance itself
 * (its `trigger`), as hls.js raises them, on a real live stream (Chromium + hls.js, real ffmpeg).
 */
describe('live player recovery limits', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  const publishers: TestPublisher[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([start({ workers: 1 }), launchChromium()]);
  });
  afterAll(async () => {
    for (const publisher of publishers) publisher.child.kill('SIGKILL');
    await browser?.close();
  });

  const watchLive = async (room: string): Promise<Page> => {
    const port = (await server.createRoom(room)).body.data.port as number;
    const token = await server.token(room, 'producer1', 'producer');
    publishers.push(await startTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, 60));
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/watch/${room}`);
    await page.waitForSelector('.live-badge[data-state="live"]', { timeout: 20_000 });
    await expect.poll(() => page.evaluate<boolean>('window.chatserverPlayer?.hls != null'), { timeout: 20_000 }).toBe(true);
    return page;
  };

  /** Raises a fatal error on the playing hls.js (its own error event, as its loaders raise it), marking that instance so a later one can be told apart. */
  const raise = (page: Page, type: string, details: string): Promise<void> =>
    page.evaluate(`(() => {
      const hls = window.chatserverPlayer.hls;
      hls.errorsRaised = true;
      hls.trigger('hlsError', { type: ${JSON.stringify(type)}, details: ${JSON.stringify(details)}, fatal: true });
    })()`);
  const freshInstance = (page: Page) =>
    expect
      .poll(() => page.evaluate<boolean>('(() => { const hls = window.chatserverPlayer?.hls; return hls != null && hls.errorsRaised !== true; })()'), { timeout: 15_000 })
      .toBe(true);

  it('restarts after BUFFER_APPEND_ERROR with a growing wait, and after three hands over to the page', async () => {
    const page = await watchLive('appenderrors');
    const restartedAfter: number[] = [];
    for (let restart = 0; restart < 3; restart += 1) {
      const raisedAt = Date.now();
      await raise(page, 'mediaError', 'bufferAppendError');
      await freshInstance(page);
      restartedAfter.push(Date.now() - raisedAt);
    }
    // 1.5 s, 3 s, 6 s (each poll adds a little).
    expect(restartedAfter[2]!).toBeGreaterThan(5_000);
    await raise(page, 'mediaError', 'bufferAppendError');
    await page.waitForSelector('.stream-state[data-state="waiting"]', { timeout: 5_000 });
    await page.close();
  }, 60_000);

  it('recovers one media error, and hands a second within seconds over to the page', async () => {
    const page = await watchLive('mediaerrors');
    await raise(page, 'mediaError', 'fragParsingError');
    expect(await page.locator('.stream-state[data-state="waiting"]').count()).toBe(0);
    await raise(page, 'mediaError', 'fragParsingError');
    await page.waitForSelector('.stream-state[data-state="waiting"]', { timeout: 5_000 });
    await page.close();
  }, 60_000);
});
