import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_MEDIA_ARGS, inlineScriptRuns, launchChromium, recordCspViolations } from '../helpers/browser.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** The whole product in one browser: the broadcaster page's fake camera goes live, the viewer page plays it. */
describe('broadcast and watch pages (Chromium, fake camera, real ffmpeg)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  const problems: string[] = [];
  /** Every Referer a page sent: its URL may carry a token, so there must be none. */
  const referers: string[] = [];

  const open = async (path: string): Promise<Page> => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => problems.push(`${path}: ${error.message}`));
    await recordCspViolations(page, problems);
    page.on('request', (request) => {
      const referer = request.headers().referer;
      if (referer) referers.push(`${request.url()} <- ${referer}`);
    });
    await page.goto(`http://127.0.0.1:${server.port}${path}`);
    return page;
  };
  // Browser-side expressions are strings: the tests type-check against Node's globals, not the DOM's.
  const VIDEO_TIME = "document.querySelector('video')?.currentTime ?? 0";
  const videoTime = (page: Page) => page.evaluate<number>(VIDEO_TIME);

  beforeAll(async () => {
    server = await start({ workers: 1 });
    await server.createRoom('studio');
    browser = await launchChromium(FAKE_MEDIA_ARGS);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('goes live from the camera, plays in the viewer page, shows the delay, and ends', async () => {
    const token = await server.token('studio', 'host', 'producer');
    const studio = await open(`/broadcast/studio?token=${token}`);
    await studio.waitForSelector('.chat-status:has-text("as host")');
    await studio.click('#start');
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 30_000 });
    // Chromium records H.264 with a keyframe per segment: the server copies it, no encode (which
    // only its "stream starting" line tells, see docs/security.md).
    expect(server.logs.find((line) => line.msg === 'stream starting')).toMatchObject({ media: { container: 'webm', video: 'h264' }, copy: true });

    const viewer = await open('/watch/studio');
    // (A poll, not waitForFunction: Playwright evaluates its predicate with eval, which the CSP forbids.)
    await expect.poll(() => videoTime(viewer), { timeout: 30_000 }).toBeGreaterThan(0.5);
    const before = await videoTime(viewer);
    await viewer.waitForTimeout(2_000);
    expect(await videoTime(viewer)).toBeGreaterThan(before + 1);
    await viewer.waitForSelector('.player-latency:has-text("behind live")');
    const latency = await viewer.evaluate<number>('window.chatserverPlayer.hls.latency');
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThan(6);

    const rooms = await open('/');
    await rooms.waitForSelector('#rooms li:has-text("studio") :text("LIVE")');

    await studio.click('#stop');
    await studio.waitForSelector('#state:has-text("Stream ended")', { timeout: 20_000 });
    await viewer.waitForSelector('.stream-state[data-state="ended"]:has-text("The stream has ended")', { timeout: 20_000 });
    expect(problems).toEqual([]);
    expect(referers).toEqual([]);
  }, 90_000);

  it('shows the producer where OBS, ffmpeg or an SRT caller publishes, the key hidden until asked for', async () => {
    const token = await server.token('studio', 'host', 'producer');
    const port = (await server.api('GET', '/api/v1/room/studio')).body.data.port as number;
    const studio = await open(`/broadcast/studio?token=${token}`);
    await studio.click('#publish-info summary');
    expect(await studio.inputValue('#publish-rtmp-server')).toBe(`rtmp://127.0.0.1:${port}/live`);
    expect(await studio.inputValue('#publish-whip-server')).toBe(`http://127.0.0.1:${port}/whip`);
    expect(await studio.inputValue('#publish-stream-key')).toBe(token);
    expect(await studio.getAttribute('#publish-stream-key', 'type')).toBe('password');
    await studio.click('.publish-setting:has(#publish-stream-key) .publish-reveal');
    expect(await studio.getAttribute('#publish-stream-key', 'type')).toBe('text');
    await studio.close();
    expect(problems).toEqual([]);
  });

  it('tells the producer why it cannot stream', async () => {
    const viewerToken = await server.token('studio', 'someone', 'viewer');
    const page = await open(`/broadcast/studio?token=${viewerToken}`);
    await page.click('#start');
    await page.waitForSelector('#problem:has-text("may not stream")');
    const noToken = await open('/broadcast/studio');
    await noToken.waitForSelector('#problem:has-text("needs a producer token")');
    expect(problems).toEqual([]);
    expect(referers).toEqual([]);
    // The pages above ran under a CSP that blocks inline script:
    expect(await inlineScriptRuns(page)).toBe(false);
  });
});
