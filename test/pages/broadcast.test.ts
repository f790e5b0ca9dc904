import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from '../helpers/axe.js';
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

  const open = async (path: string, initScript?: string): Promise<Page> => {
    const page = await browser.newPage();
    if (initScript) await page.addInitScript(initScript);
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
  /** The studio's preview plays the chosen camera (frames decoded) and the level meter moves with the fake microphone's beeps. */
  const PREVIEW_FRAMES = "(document.querySelector('#preview')?.getVideoPlaybackQuality().totalVideoFrames ?? 0)";
  const METER_PEAK = "Number(document.querySelector('#level-meter')?.value ?? 0)";
  /** Keeps the page's peer connections where the test can read their senders (through DevTools, as the CSP wants). */
  const KEEP_PEER_CONNECTIONS =
    'window.peerConnections = []; window.RTCPeerConnection = class extends RTCPeerConnection { constructor(...args) { super(...args); window.peerConnections.push(this); } };';
  const SENT_AUDIO_DEVICE = "window.peerConnections.at(-1).getSenders().find((s) => s.track?.kind === 'audio')?.track.getSettings().deviceId ?? ''";

  beforeAll(async () => {
    server = await start({ workers: 1 });
    await server.createRoom('studio');
    browser = await launchChromium(FAKE_MEDIA_ARGS);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the sources, a preview and the microphone level before going live', async () => {
    const token = await server.token('studio', 'host', 'producer');
    const studio = await open(`/broadcast/studio?token=${token}`);
    await studio.waitForSelector('#state[data-state="idle"]:has-text("Not streaming")');
    // Chromium's fake devices, listed by name once the page may use them; the screen is offered too.
    await studio.waitForSelector('#camera option:has-text("fake")', { state: 'attached' });
    expect(await studio.$$eval('#video-source option', (options) => options.map((o) => (o as unknown as { value: string }).value))).toEqual(['camera', 'screen']);
    expect(await studio.$$eval('#microphone option', (options) => options.length)).toBeGreaterThanOrEqual(2);
    await expect.poll(() => studio.evaluate<number>(PREVIEW_FRAMES), { timeout: 10_000 }).toBeGreaterThan(5);
    // The fake microphone beeps once a second: the meter rises above silence.
    await expect.poll(() => studio.evaluate<number>(METER_PEAK), { timeout: 10_000, interval: 50 }).toBeGreaterThan(0.05);
    // No sound: the meter gives way to a note, the stream opened again without audio.
    await studio.selectOption('#microphone', 'none');
    await studio.waitForSelector('.studio-meter-none:has-text("silent")');
    expect(await studio.evaluate<number>("document.querySelector('#preview').srcObject.getAudioTracks().length")).toBe(0);
    expect(await studio.isVisible('#stop')).toBe(false);
    // Keyboard only: Tab reaches Go live and every source choice, and the focus shows.
    const reached: string[] = [];
    for (let i = 0; i < 12 && !reached.includes('microphone'); i++) {
      await studio.keyboard.press('Tab');
      reached.push(await studio.evaluate<string>('document.activeElement?.id ?? ""'));
      if (reached.at(-1) === 'start') expect(await studio.evaluate<string>("getComputedStyle(document.activeElement).outlineStyle")).toBe('solid');
    }
    expect(reached.filter((id) => ['start', 'video-source', 'camera', 'microphone'].includes(id))).toEqual(['start', 'video-source', 'camera', 'microphone']);
    expect(await seriousAxeViolations(studio)).toEqual([]);
    await studio.setViewportSize({ width: 390, height: 844 });
    expect(await seriousAxeViolations(studio)).toEqual([]);
    await studio.close();
    expect(problems).toEqual([]);
  }, 40_000);

  it('goes live from the camera, plays in the viewer page, shows the delay, and ends', async () => {
    const token = await server.token('studio', 'host', 'producer');
    const studio = await open(`/broadcast/studio?token=${token}`, KEEP_PEER_CONNECTIONS);
    await studio.waitForSelector('.chat-status:has-text("as host")');
    await studio.waitForSelector('#start:not([disabled])');
    await studio.focus('#start');
    await studio.keyboard.press('Enter');
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 30_000 });
    // Chromium records H.264 with a keyframe per segment: the server copies it, no encode (which
    // only its "stream starting" line tells, see docs/security.md).
    expect(server.logs.find((line) => line.msg === 'stream starting')).toMatchObject({ media: { container: 'webm', video: 'h264' }, copy: true });

    const viewer = await open('/watch/studio');
    // (A poll, not waitForFunction: Playwright evaluates its predicate with eval, which the CSP forbids.)
    await expect.poll(() => videoTime(viewer), { timeout: 30_000 }).toBeGreaterThan(0.5);
    const before = await videoTime(viewer);
    await expect.poll(() => videoTime(viewer), { timeout: 15_000 }).toBeGreaterThan(before + 1);
    await viewer.waitForSelector('.player-latency:has-text("behind live")');
    const latency = await viewer.evaluate<number>('window.chatserverPlayer.hls.latency');
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThan(6);

    const rooms = await open('/');
    await rooms.waitForSelector('#rooms li:has-text("studio") :text("LIVE")');

    // The studio's figures while live: time on air, what WebRTC sends, the viewer page counted.
    await studio.waitForSelector('#elapsed:text-matches("^0:0[1-9]|^0:[1-5][0-9]")');
    await studio.waitForSelector('#bitrate:text-matches("^[1-9][0-9,]* kbit/s")');
    await studio.waitForSelector('#dropped:text-matches("^[0-9,]+$")');
    await studio.waitForSelector('#viewers:text-matches("^[1-9]")');
    expect(await seriousAxeViolations(studio)).toEqual([]);
    await studio.setViewportSize({ width: 390, height: 844 });
    expect(await seriousAxeViolations(studio)).toEqual([]);

    // Another microphone while live (WebRTC swaps the sender's track): still live, the viewer plays on.
    const microphones = await studio.$$eval('#microphone option:not([disabled])', (options) => options.map((o) => (o as unknown as { value: string }).value));
    const current = await studio.inputValue('#microphone');
    const other = microphones.find((id) => id !== current && id !== 'none' && id !== 'default');
    expect(other).toBeDefined();
    await studio.selectOption('#microphone', other!);
    await expect.poll(() => studio.evaluate<string>(SENT_AUDIO_DEVICE), { timeout: 10_000 }).toBe(other);
    expect(await studio.getAttribute('#state', 'data-state')).toBe('live');
    const beforeSwitch = await videoTime(viewer);
    await expect.poll(() => videoTime(viewer), { timeout: 10_000 }).toBeGreaterThan(beforeSwitch + 2);
    expect(await studio.isDisabled('#microphone option[value="none"]')).toBe(true);

    await studio.click('#stop');
    await studio.waitForSelector('#state:has-text("Stream ended")', { timeout: 20_000 });
    // The viewer has not joined the chat: it learns of the end from /health, polled every 5 s while
    // live, which says so once the room's ffmpeg has finished (seconds, more on a loaded machine).
    await viewer.waitForSelector('.stream-state[data-state="ended"]:has-text("The stream has ended")', { timeout: 35_000 });
    expect(problems).toEqual([]);
    expect(referers).toEqual([]);
  }, 90_000);

  it('Stop, then Go live at once: Go live waits until the old session is gone, and the new stream can be stopped', async () => {
    const token = await server.token('studio', 'host', 'producer');
    const port = (await server.api('GET', '/api/v1/room/studio')).body.data.port as number;
    const studio = await open(`/broadcast/studio?token=${token}&via=whip`);
    await studio.waitForSelector('#start:not([disabled])');
    await studio.click('#start');
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 30_000 });
    // The WHIP DELETE is held back until the test lets it through: the stop stays under way meanwhile.
    let releaseDelete = () => {};
    const deleteHeld = new Promise<void>((resolve) => (releaseDelete = resolve));
    let deletesAnswered = 0;
    studio.on('response', (response) => response.request().method() === 'DELETE' && deletesAnswered++);
    await studio.route('**/whip/*', async (route) => {
      if (route.request().method() === 'DELETE') await deleteHeld;
      await route.continue();
    });

    await studio.click('#stop');
    await studio.waitForSelector('#state[data-state="stopping"]');
    // A Go live now would publish while the old session still holds the room, and the stop's
    // "Stream ended" would then cover the new stream (no Stop button for it).
    expect(await studio.isDisabled('#start')).toBe(true);
    releaseDelete();
    await studio.click('#start');
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 30_000 });
    expect(deletesAnswered).toBe(1);
    expect(await studio.isVisible('#stop')).toBe(true);
    await studio.click('#stop');
    await studio.waitForSelector('#state:has-text("Stream ended")', { timeout: 20_000 });
    await expect.poll(async () => ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { data: { live: boolean } }).data.live, { timeout: 15_000 }).toBe(false);
    await studio.close();
    expect(problems).toEqual([]);
  }, 60_000);

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
    await page.waitForSelector('#start:not([disabled])');
    await page.click('#start');
    await page.waitForSelector('#problem:has-text("may not stream")');
    const noToken = await open('/broadcast/studio');
    await noToken.waitForSelector('#problem:has-text("needs a producer token")');
    expect(await noToken.isDisabled('#start')).toBe(true);
    expect(await seriousAxeViolations(noToken)).toEqual([]);
    expect(problems).toEqual([]);
    expect(referers).toEqual([]);
    // The pages above ran under a CSP that blocks inline script:
    expect(await inlineScriptRuns(page)).toBe(false);
  });
});
