import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { newWebhookSecret } from '../../src/kit/standardWebhooks.js';
import { HookServer } from '../helpers/hookServer.js';
import { pushTestPattern } from '../helpers/media.js';
import { roomWatchers } from '../helpers/roomWatchers.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const FFMPEG = '/usr/bin/ffmpeg';
const protocols = spawnSync(FFMPEG, ['-hide_banner', '-protocols'], { encoding: 'utf8' });
const haveSrt = protocols.status === 0 && /^\s+srt$/m.test(protocols.stdout.split('Output:')[0] ?? '');
const srtSkipReason = haveSrt ? '' : ` (skipped: ${FFMPEG} is missing or has no srt protocol)`;
const SECRET = newWebhookSecret();
const H264 = new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90_000, parameters: 'packetization-mode=1;profile-level-id=42e01f' });

/** A real WHIP offer: werift as the publisher (sendonly H.264, ICE gathered), as a browser makes one. */
async function whipOffer(): Promise<{ sdp: string; close: () => Promise<void> }> {
  const pc = new RTCPeerConnection({ codecs: { video: [H264], audio: [] } });
  pc.addTransceiver('video', { direction: 'sendonly' });
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== 'complete') await new Promise<void>((resolve) => pc.iceGatheringStateChange.subscribe((state) => state === 'complete' && resolve()));
  return { sdp: pc.localDescription!.sdp, close: () => pc.close() };
}

/**
 * The publish hook over WHIP and SRT, with a real hook server and real server processes (the
 * RTMP and HTTP ingests are in publishHook.test.ts): a publish the hook denies is refused with
 * its reason before anything starts, and the hook is asked with the protocol named.
 */
describe('publish hook over WHIP and SRT (AUTH_HOOK_URL)', () => {
  const start = serversPerFile(afterAll);
  let hook: HookServer;
  let server: ServerProcess;
  const { rooms, join } = roomWatchers(afterAll);
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    hook = await HookServer.start(SECRET);
    hook.reply = (body) => (body.action === 'publish' && body.user === 'broke' ? { status: 403, body: { reason: 'No broadcast credit' } } : { status: 204 });
    server = await start({ workers: 1, roomPortCount: 3, env: { AUTH_HOOK_URL: hook.url, AUTH_HOOK_SECRET: SECRET, LOG_LEVEL: 'debug' } });
    for (const name of ['whip', 'srt']) rooms[name] = (await server.createRoom(name)).body.data.port;
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await hook?.close();
  });

  const postOffer = async (room: string, user: string) => {
    const offer = await whipOffer();
    closers.push(offer.close);
    return fetch(`http://127.0.0.1:${rooms[room]}/whip`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await server.token(room, user, 'producer')}`, 'content-type': 'application/sdp' },
      body: offer.sdp,
      signal: AbortSignal.timeout(10_000),
    });
  };

  it("refuses a WHIP offer the hook denies: 403 HOOK_DENIED with the hook's reason, no session; an allowed one is answered", async () => {
    const { client } = await join('whip');
    const denied = await postOffer('whip', 'broke');
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: unknown }).error).toEqual({ code: 'HOOK_DENIED', message: 'No broadcast credit' });
    const [call] = hook.callsFor('whip', 'broke');
    expect(call?.verified).toBe(true);
    expect(call?.body).toMatchObject({ action: 'publish', room: 'whip', user: 'broke', role: 'producer', protocol: 'whip', ip: '127.0.0.1' });

    // The same offer from a user the hook allows gets its SDP answer: the refusal was the hook's.
    const allowed = await postOffer('whip', 'payer');
    expect(allowed.status, await allowed.clone().text()).toBe(201);
    expect(hook.callsFor('whip', 'payer')[0]?.body).toMatchObject({ action: 'publish', protocol: 'whip' });
    expect((await fetch(new URL(allowed.headers.get('location')!, `http://127.0.0.1:${rooms.whip}`), { method: 'DELETE' })).status).toBe(200);
    expect(client.frames.some((f) => f.type === 'stream' && f.live === true)).toBe(false);
  });

  it.skipIf(!haveSrt)(`refuses an SRT caller the hook denies at once (rejection 1403, the hook's reason logged), no stream${srtSkipReason}`, async () => {
    const { client } = await join('srt');
    const startedAt = Date.now();
    const { code, stderr } = await pushTestPattern(`srt://127.0.0.1:${rooms.srt}?streamid=${await server.token('srt', 'broke', 'producer')}`, 3);
    expect(code, stderr).not.toBe(0);
    // A rejection, not the caller's connect timeout.
    expect(Date.now() - startedAt).toBeLessThan(2_500);
    const calls = hook.callsFor('srt', 'broke');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((call) => call.verified)).toBe(true);
    expect(calls[0]?.body).toMatchObject({ action: 'publish', room: 'srt', user: 'broke', role: 'producer', protocol: 'srt', ip: '127.0.0.1' });
    // SRT has no text in a rejection: the caller gets the reason code, the server's log has the hook's reason.
    expect(server.logs.find((line) => line.msg === 'srt caller refused')).toMatchObject({ reason: 1403, message: 'HOOK_DENIED: No broadcast credit' });
    expect(client.frames.some((f) => f.type === 'stream')).toBe(false);
  });
});
