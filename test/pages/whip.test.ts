import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { FAKE_MEDIA_ARGS, launchChromium, recordCspViolations } from '../helpers/browser.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { probe, probePackets } from '../helpers/media.js';
import { segmentFile } from '../helpers/hlsSegments.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';
import { WHIP_OFFER } from '../whip/offers.js';

/**
 * WHIP end to end: Chromium's fake camera publishes from the broadcaster page over WebRTC, the
 * server depacketizes it into its ingest, the HLS plays (ffprobe: H.264 copied, Opus -> AAC), the
 * chat sees live then ended when the publisher leaves without a goodbye. Other publishers are
 * refused in WHIP's terms while it is live; a browser without WebRTC falls back to the WebSocket.
 */
describe('WHIP ingest from the broadcaster page (Chromium, fake camera, real ffmpeg)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  let port = 0;
  let udpPorts: [number, number] = [0, 0];
  const problems: string[] = [];
  const clients: ChatTestClient[] = [];

  const open = async (path: string, withoutWebRtc = false): Promise<Page> => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => problems.push(`${path}: ${error.message}`));
    await recordCspViolations(page, problems);
    if (withoutWebRtc) await page.addInitScript('delete window.RTCPeerConnection');
    await page.goto(`http://127.0.0.1:${server.port}${path}`);
    return page;
  };
  const whip = (token: string | null, body = WHIP_OFFER, type = 'application/sdp') =>
    fetch(`http://127.0.0.1:${port}/whip`, { method: 'POST', headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });

  beforeAll(async () => {
    // WHIP sessions bind their ICE port in this range (a random one, so parallel runs rarely meet).
    const first = 41_000 + Math.floor(Math.random() * 200) * 10;
    udpPorts = [first, first + 9];
    server = await start({ workers: 1, env: { WHIP_UDP_PORTS: `${first}-${first + 9}` } });
    port = (await server.createRoom('webrtc')).body.data.port;
    browser = await launchChromium(FAKE_MEDIA_ARGS);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await browser?.close();
  });

  it('goes live over WHIP, plays as HLS, refuses other publishers, and ends when the publisher leaves', async () => {
    const { client } = await ChatTestClient.join(port, { name: 'watcher' });
    clients.push(client);
    const token = await server.token('webrtc', 'host', 'producer');
    const studio = await open(`/broadcast/webrtc?token=${token}`);
    await studio.waitForSelector('.chat-status:has-text("as host")');
    const answered = studio.waitForResponse((response) => response.url().endsWith('/whip') && response.request().method() === 'POST');
    await studio.click('#start');
    const answer = await answered;
    expect(answer.status()).toBe(201);
    expect(answer.headers()['location']).toMatch(/^\/whip\/[0-9a-f]{32}$/);
    // Candidates on WHIP_UDP_PORTS, and one for WHIP_ICE_HOST (PUBLIC_HOST, 127.0.0.1 here).
    const candidates = (await answer.text()).split('\r\n').filter((line) => line.startsWith('a=candidate:')).map((line) => line.split(' '));
    expect(candidates.length).toBeGreaterThan(0);
    for (const candidate of candidates) expect(Number(candidate[5])).toSatisfy((p: number) => p >= udpPorts[0] && p <= udpPorts[1]);
    expect(candidates.some((candidate) => candidate[4] === '127.0.0.1')).toBe(true);
    await studio.waitForSelector('#path[data-path="whip"]', { timeout: 15_000 });
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 20_000 });
    expect(await client.next((f) => f.type === 'stream' && f.live === true, 5_000)).toMatchObject({ live: true, path: '/hls/index.m3u8' });
    expect(server.logs.find((line) => line.msg === 'whip session answered')).toMatchObject({ audio: true });
    // The WebRTC H.264 is copied (no encode); the Opus is encoded to AAC.
    expect(server.logs.find((line) => line.msg === 'stream starting')).toMatchObject({ media: { container: 'webm', video: 'h264', audio: 'opus' }, copy: true });
    const playlist = parsePlaylist(await (await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`)).text());
    expect(playlist.segments.length).toBeGreaterThan(0);
    // Chromium's own keyframe interval is long: the server's keyframe requests keep segments short.
    await expect.poll(async () => parsePlaylist(await (await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`)).text()).segments.length, { timeout: 8_000 }).toBeGreaterThanOrEqual(4);
    const later = parsePlaylist(await (await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`)).text());
    expect(Math.max(...later.segments.map((s) => s.duration))).toBeLessThan(2.5);
    const firstUrl = await segmentFile(`http://127.0.0.1:${port}/hls/`, playlist.segments[0]!);
    const segment = await probe(firstUrl);
    expect(segment.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    // The first segment carries both tracks (a player that saw only video in it would set up no
    // audio buffer and fail on the next one), and starts with a keyframe.
    const packets = await probePackets(firstUrl);
    expect(packets.filter((p) => p.codec_type === 'audio').length).toBeGreaterThan(0);
    const video = packets.filter((p) => p.codec_type === 'video');
    expect(video.length).toBeGreaterThan(0);
    expect(video[0]!.keyframe).toBe(true);

    // One producer slot whatever the protocol: another producer's WHIP offer gets 409.
    const second = await whip(await server.token('webrtc', 'obs', 'producer'));
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('STREAM_BUSY');
    expect((await whip('junk')).status).toBe(401);
    expect((await whip(await server.token('webrtc', 'fan', 'viewer'))).status).toBe(403);

    // The publisher goes away without DELETE (tab closed): the stream ends.
    await studio.close();
    expect(await client.next((f) => f.type === 'stream' && f.live === false, 15_000)).toMatchObject({ live: false });
    expect(problems).toEqual([]);
  }, 40_000);

  it('answers WHIP refusals in HTTP terms: content type, junk, codecs, size, unknown sessions, CORS', async () => {
    const token = await server.token('webrtc', 'tester', 'producer');
    const refusal = async (response: Response) => ({ status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code });
    expect(await refusal(await whip(token, WHIP_OFFER, 'application/json'))).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await refusal(await whip(token, 'hello'))).toEqual({ status: 400, code: 'SDP_INVALID' });
    expect(await refusal(await whip(token, WHIP_OFFER.replace(/H264/g, 'VP9')))).toEqual({ status: 406, code: 'OFFER_NOT_ACCEPTABLE' });
    expect(await refusal(await whip(token, WHIP_OFFER + 'a=x\r\n'.repeat(20_000)))).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(await refusal(await whip(null))).toEqual({ status: 401, code: 'TOKEN_REQUIRED' });
    expect((await fetch(`http://127.0.0.1:${port}/whip/0123`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/whip`)).status).toBe(405);
    const preflight = await fetch(`http://127.0.0.1:${port}/whip`, { method: 'OPTIONS', headers: { origin: 'http://elsewhere.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(preflight.headers.get('accept-post')).toBe('application/sdp');
    // None of it took the producer slot or hurt the room.
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });

  it('falls back to the WebSocket upload where the browser has no WebRTC, and says so', async () => {
    const token = await server.token('webrtc', 'host', 'producer');
    const studio = await open(`/broadcast/webrtc?token=${token}`, true);
    await studio.waitForSelector('.chat-status:has-text("as host")');
    await studio.click('#start');
    await studio.waitForSelector('#path[data-path="websocket"]', { timeout: 10_000 });
    await studio.waitForSelector('#state[data-state="live"]', { timeout: 20_000 });
    await studio.click('#stop');
    await studio.waitForSelector('#state:has-text("Stream ended")', { timeout: 15_000 });
    expect(problems).toEqual([]);
  }, 40_000);
});
