import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_MEDIA_ARGS, launchChromium, recordCspViolations } from '../helpers/browser.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/**
 * The broadcaster page against the room's lifecycle: deleting the room while a WHIP publisher is
 * live closes its peer connection (the page says the stream stopped), logs no error and frees the
 * port for the next room (the studio does not try again: the room is gone); `?via=websocket` forces the MediaRecorder upload even where WebRTC works.
 */
describe('WHIP publisher and the room lifecycle (Chromium, fake camera, real ffmpeg)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  const problems: string[] = [];

  const open = async (path: string): Promise<{ page: Page; whipPosts: string[] }> => {
    const page = await browser.newPage();
    const whipPosts: string[] = [];
    page.on('pageerror', (error) => problems.push(`${path}: ${error.message}`));
    page.on('request', (request) => request.method() === 'POST' && new URL(request.url()).pathname === '/whip' && whipPosts.push(request.url()));
    await recordCspViolations(page, problems);
    await page.goto(`http://127.0.0.1:${server.port}${path}`);
    await page.waitForSelector('.chat-status:has-text("as host")');
    return { page, whipPosts };
  };
  const goLive = async (room: string, via: string): Promise<{ page: Page; whipPosts: string[] }> => {
    const studio = await open(`/broadcast/${room}?token=${await server.token(room, 'host', 'producer')}&via=${via}`);
    await studio.page.click('#start');
    await studio.page.waitForSelector(`#path[data-path="${via}"]`, { timeout: 15_000 });
    await studio.page.waitForSelector('#state[data-state="live"]', { timeout: 20_000 });
    return studio;
  };

  beforeAll(async () => {
    const first = 41_000 + Math.floor(Math.random() * 200) * 10;
    // One room port: the room made after the deletion must get the same one.
    server = await start({ workers: 1, roomPortCount: 1, env: { WHIP_UDP_PORTS: `${first}-${first + 9}` } });
    browser = await launchChromium(FAKE_MEDIA_ARGS);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('closes the live WHIP session when the room is deleted, without an error, and the port serves the next room', async () => {
    const port = (await server.createRoom('doomed')).body.data.port as number;
    const { page } = await goLive('doomed', 'whip');
    const closed = server.waitForLog((line) => line.msg === 'whip session closed', 10_000);
    expect((await server.api('DELETE', '/api/v1/room/doomed', { key: server.env.KEY })).status).toBe(200);
    expect(await closed).toMatchObject({ room: 'doomed' });
    // The server's DTLS close_notify: at once, where ICE consent alone takes Chromium 17 s. The
    // studio tries to publish again, finds the room gone, and stops trying (a refusal that stays).
    await page.waitForSelector('#state[data-state="error"]', { timeout: 5_000 });
    expect(await page.textContent('#problem')).toContain('The room was closed');
    expect(await page.textContent('#path')).toBe('');
    expect(await page.isVisible('#start')).toBe(true);
    expect(server.logs.filter((line) => (line.level ?? 0) >= 50)).toEqual([]);
    expect((await server.createRoom('next')).body.data.port).toBe(port);
    const next = await goLive('next', 'whip');
    await next.page.click('#stop');
    await next.page.waitForSelector('#state:has-text("Stream ended")', { timeout: 15_000 });
    // The port goes back for the next test's room.
    expect((await server.api('DELETE', '/api/v1/room/next', { key: server.env.KEY })).status).toBe(200);
    expect(server.logs.filter((line) => (line.level ?? 0) >= 50)).toEqual([]);
    expect(problems).toEqual([]);
  }, 45_000);

  it('streams over the WebSocket with ?via=websocket though WebRTC works, and refuses an unknown via', async () => {
    await server.createRoom('forced');
    const { page, whipPosts } = await goLive('forced', 'websocket');
    expect(whipPosts).toEqual([]);
    expect(await page.textContent('#path')).toContain('WebSocket');
    await page.click('#stop');
    await page.waitForSelector('#state:has-text("Stream ended")', { timeout: 15_000 });
    const wrong = await browser.newPage();
    await wrong.goto(`http://127.0.0.1:${server.port}/broadcast/forced?token=${await server.token('forced', 'host', 'producer')}&via=carrier-pigeon`);
    await wrong.waitForSelector('#problem:has-text("via must be whip or websocket")');
    expect(await wrong.isDisabled('#start')).toBe(true);
    expect(problems).toEqual([]);
  }, 40_000);
});
