import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { FAKE_MEDIA_ARGS, launchChromium, recordCspViolations } from '../helpers/browser.js';
import { watchRoom } from '../helpers/restartWatch.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/**
 * A rolling restart while the browser studio is live over WHIP: the room closes (1001, the
 * DTLS session ends), the studio says "Reconnecting…" and publishes again by itself once the new
 * worker listens, and a viewer on the watch page (as it is on main: hls.js in `video.player-video`)
 * still plays afterwards. The stream is suspended, not ended (no ENDLIST, live throughout); the
 * new worker's playlist numbers on from the old one's media sequence after a discontinuity.
 */
describe('the studio reconnecting by itself: a rolling restart, an operator\'s stop (Chromium, fake camera, real ffmpeg)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  let port = 0;
  const problems: string[] = [];

  /** `clock`: the page's time can be moved on (Playwright's clock: it flows as usual until the test jumps it). */
  const open = async (path: string, { clock = false, on = server } = {}): Promise<Page> => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => problems.push(`${path}: ${error.message}`));
    await recordCspViolations(page, problems);
    if (clock) await page.clock.install();
    await page.goto(`http://127.0.0.1:${on.port}${path}`);
    return page;
  };
  /** Keeps every reconnect note the page shows ("… trying again in 0.6 s"): some last only 0.3 s. */
  const KEEP_NOTES =
    "window.notes = []; new MutationObserver(() => { const note = document.querySelector('#reconnecting')?.textContent; if (note && note !== window.notes.at(-1)) window.notes.push(note); }).observe(document.body, { subtree: true, childList: true, characterData: true })";
  /** The waits (s) the notes since note `from` announced, in order. */
  const announcedDelays = async (studio: Page, from: number) =>
    (await studio.evaluate<string[]>('window.notes')).slice(from).map((note) => Number(/trying again in ([0-9.]+) s/.exec(note)?.[1]));
  const notesSoFar = (studio: Page) => studio.evaluate<number>('window.notes.length');
  const VIDEO_TIME = "document.querySelector('video.player-video')?.currentTime ?? 0";
  const videoTime = (page: Page) => page.evaluate<number>(VIDEO_TIME);
  /** The media sequence number after the live playlist's last segment. */
  const playlist = async () => parsePlaylist(await (await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`)).text());
  const nextMsn = async () => {
    const { mediaSequence, segments } = await playlist();
    return mediaSequence + segments.length;
  };

  beforeAll(async () => {
    const first = 41_000 + Math.floor(Math.random() * 200) * 10;
    server = await start({ workers: 1, env: { WHIP_UDP_PORTS: `${first}-${first + 9}` } });
    port = (await server.createRoom('onair')).body.data.port as number;
    browser = await launchChromium(FAKE_MEDIA_ARGS);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('publishes again by itself after a rolling restart, and the viewer keeps playing', async () => {
    const studio = await open(`/broadcast/onair?token=${await server.token('onair', 'host', 'producer')}`);
    await studio.waitForSelector('#start:not([disabled])');
    await studio.click('#start');
    await studio.waitForSelector('#path[data-path="whip"]', { timeout: 15_000 });
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 20_000 });
    const viewer = await open('/watch/onair');
    await expect.poll(() => videoTime(viewer), { timeout: 30_000 }).toBeGreaterThan(1);
    const whipPosts: string[] = [];
    studio.on('request', (request) => request.method() === 'POST' && new URL(request.url()).pathname === '/whip' && whipPosts.push(request.url()));

    await expect.poll(nextMsn, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const reached = await nextMsn();
    const lastDiscontinuity = (await playlist()).segments.at(-1)!.discontinuitySequence;

    // The stream is suspended, not ended: no ENDLIST and never "not live" for a viewer meanwhile.
    const watch = watchRoom(port);
    const restart = await server.admin('POST', '/api/v1/server/restart');
    expect(restart.status).toBe(200);
    expect(restart.body.data.notBack).toEqual([]);
    await studio.waitForSelector('#state[data-state="reconnecting"]', { timeout: 10_000 });
    await studio.waitForSelector('#reconnecting:has-text("trying again")');
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 30_000 });
    expect(whipPosts.length).toBeGreaterThanOrEqual(1);
    await expect.poll(() => nextMsn().catch(() => -1), { timeout: 20_000 }).toBeGreaterThan(reached);
    const seen = await watch.stop();
    expect(seen).toMatchObject({ endedPlaylists: 0, offlineAnswers: 0 });
    // The new worker's segments number on from the old worker's (never back to 0), after a discontinuity.
    const after = await playlist();
    expect(after.mediaSequence).toBeGreaterThanOrEqual(reached);
    expect(after.segments.at(-1)!.discontinuitySequence).toBe(lastDiscontinuity + 1);
    // Elapsed time counts from the first time on air, not from the reconnect.
    expect(await studio.textContent('#elapsed')).not.toBe('0:00');

    // The viewer plays on: the video time advances past where it was at the reconnect.
    const resumedAt = await videoTime(viewer);
    await expect.poll(() => videoTime(viewer), { timeout: 30_000 }).toBeGreaterThan(resumedAt + 2);
    await studio.click('#stop');
    await studio.waitForSelector('#state:has-text("Stream ended")', { timeout: 15_000 });
    expect(problems).toEqual([]);
  }, 120_000);

  it('over the WebSocket upload too (close 1001), and stays stopped after Stop', async () => {
    const studio = await open(`/broadcast/onair?token=${await server.token('onair', 'host', 'producer')}&via=websocket`);
    await studio.waitForSelector('#start:not([disabled])');
    await studio.click('#start');
    await studio.waitForSelector('#path[data-path="websocket"]', { timeout: 15_000 });
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 20_000 });
    expect((await server.admin('POST', '/api/v1/server/restart')).status).toBe(200);
    await studio.waitForSelector('#state[data-state="reconnecting"]', { timeout: 10_000 });
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 30_000 });
    expect(await studio.getAttribute('#path', 'data-path')).toBe('websocket');
    await studio.click('#stop');
    await studio.waitForSelector('#state:has-text("Stream ended")', { timeout: 15_000 });
    await expect.poll(async () => ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { data: { live: boolean } }).data.live, { timeout: 15_000 }).toBe(false);
    expect(await studio.isVisible('#start')).toBe(true);
    expect(problems).toEqual([]);
  }, 90_000);

  it('backs off on when the stream drops again soon after coming back, and afresh once it stayed live 30 s', async () => {
    const studio = await open(`/broadcast/onair?token=${await server.token('onair', 'host', 'producer')}`, { clock: true });
    await studio.waitForSelector('#start:not([disabled])');
    await studio.click('#start');
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 20_000 });
    await studio.evaluate(KEEP_NOTES);
    /** A rolling restart, and the studio back on air: the waits it announced on the way. */
    const restartAndBack = async () => {
      const from = await notesSoFar(studio);
      expect((await server.admin('POST', '/api/v1/server/restart')).status).toBe(200);
      // (The restart may answer before the page noticed: first the loss, then live again.)
      await expect.poll(() => notesSoFar(studio), { timeout: 10_000 }).toBeGreaterThan(from);
      await studio.waitForSelector('#state[data-state="live"]', { timeout: 30_000 });
      return announcedDelays(studio, from);
    };
    expect((await restartAndBack())[0]).toBe(0.3);
    // Lost again within seconds of coming back: no fresh 0.3 s, the backoff goes on from where it was.
    expect((await restartAndBack())[0]).toBeGreaterThanOrEqual(0.6);
    // Live for 30 s (the page's clock moved on): the stream is sound again, a loss starts quick.
    await studio.clock.fastForward(31_000);
    expect((await restartAndBack())[0]).toBe(0.3);
    await studio.click('#stop');
    await studio.waitForSelector('#state:has-text("Stream ended")', { timeout: 15_000 });
    expect(problems).toEqual([]);
  }, 120_000);

  it('gives up after 5 minutes without the server, says why, and asks the room only every 2 s meanwhile', async () => {
    const gone = await start({ workers: 1 });
    await gone.createRoom('gone');
    const studio = await open(`/broadcast/gone?token=${await gone.token('gone', 'host', 'producer')}`, { clock: true, on: gone });
    await studio.waitForSelector('#start:not([disabled])');
    await studio.click('#start');
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 20_000 });
    let healthChecks = 0;
    let attempts = 0;
    studio.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path === '/health') healthChecks++;
      if (path === '/api/v1/room/gone') attempts++;
    });

    // Nothing listens any more: every attempt and every poll is refused at once.
    await gone.stop();
    await studio.waitForSelector('#state[data-state="reconnecting"]', { timeout: 10_000 });
    healthChecks = 0;
    // Nothing to await: how few polls a while brings is the point (the live flag is asked for
    // every 0.3 s only while a published stream starts, not while the server is away).
    await studio.waitForTimeout(3_000);
    expect(healthChecks).toBeLessThanOrEqual(2);
    expect(attempts).toBeGreaterThanOrEqual(2);

    // Five minutes on (the page's clock jumped): the next failure is the last, said in plain words.
    await studio.clock.fastForward(5 * 60_000);
    await studio.waitForSelector('#state[data-state="error"]', { timeout: 15_000 });
    expect(await studio.textContent('#problem')).toMatch(/could not reconnect for 5 minutes.*the server did not answer/);
    expect(await studio.isVisible('#start')).toBe(true);
    const made = attempts;
    await studio.clock.fastForward(60_000);
    // Again nothing to await: no attempt is the point.
    await studio.waitForTimeout(1_000);
    expect(attempts).toBe(made);
    expect(problems).toEqual([]);
  }, 90_000);

  it('stops trying, and says why, when an operator stops the stream', async () => {
    const studio = await open(`/broadcast/onair?token=${await server.token('onair', 'host', 'producer')}`);
    await studio.waitForSelector('#start:not([disabled])');
    await studio.click('#start');
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 20_000 });
    const whipPosts: string[] = [];
    studio.on('request', (request) => request.method() === 'POST' && new URL(request.url()).pathname === '/whip' && whipPosts.push(request.url()));
    expect((await server.admin('POST', '/api/v1/room/onair/stream/stop', { reason: 'off topic' })).status).toBe(200);
    await studio.waitForSelector('#state[data-state="error"]', { timeout: 10_000 });
    expect(await studio.textContent('#problem')).toMatch(/stopped/i);
    // One attempt found the refusal; none after it.
    const attempts = whipPosts.length;
    expect(attempts).toBeLessThanOrEqual(1);
    // Nothing to await: no attempt is the point. Longer than the first backoffs (0.3, 0.6, 1.2 s).
    await studio.waitForTimeout(3_000);
    expect(whipPosts.length).toBe(attempts);
    expect(await studio.isVisible('#start')).toBe(true);
    expect(problems).toEqual([]);
  }, 60_000);
});
