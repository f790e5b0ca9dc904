import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/kit/standardWebhooks.js';
import { ChatTestClient, type Frame } from '../helpers/ChatTestClient.js';
import { HookServer } from '../helpers/hookServer.js';
import { livePush, startTestPattern } from '../helpers/media.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const FFMPEG = '/usr/bin/ffmpeg';
const haveFfmpeg = spawnSync(FFMPEG, ['-version']).status === 0;
const skipReason = haveFfmpeg ? '' : ` (skipped: ${FFMPEG} is missing)`;
const SECRET = newWebhookSecret();
const EXPIRES_IN_MS = 4_000;

/**
 * The publish hook with a real hook server and real ffmpeg publishers: a refused publish hears
 * the hook's reason over RTMP and HTTP, an allow with expiresAt ends the stream then, and the
 * admin API's end-sessions stops a broadcast of the user.
 */
describe.skipIf(!haveFfmpeg)(`publish hook (AUTH_HOOK_URL)${skipReason}`, () => {
  const start = serversPerFile(afterAll);
  let hook: HookServer;
  let server: ServerProcess;
  const ports: Record<string, number> = {};
  const clients: ChatTestClient[] = [];
  const isStream = (live: boolean) => (f: Frame) => f.type === 'stream' && f.live === live;
  const watch = async (room: string) => {
    const { client } = await ChatTestClient.join(ports[room]!, { name: 'watcher' });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    hook = await HookServer.start(SECRET);
    hook.reply = (body) => {
      if (body.action !== 'publish') return { status: 204 };
      if (body.user === 'broke') return { status: 403, body: { reason: 'No broadcast credit' } };
      if (body.room === 'timed') return { status: 200, body: { expiresAt: Date.now() + EXPIRES_IN_MS } };
      return { status: 204 };
    };
    server = await start({ workers: 1, roomPortCount: 4, env: { AUTH_HOOK_URL: hook.url, AUTH_HOOK_SECRET: SECRET, STREAM_RESUME_SECONDS: '0' } });
    for (const name of ['denied', 'timed', 'ended']) ports[name] = (await server.createRoom(name)).body.data.port;
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await hook?.close();
  });

  it("refuses a publish the hook denies, with the hook's reason: RTMP (ffmpeg) and HTTP ingest (403)", async () => {
    const token = await server.token('denied', 'broke', 'producer');
    const rtmp = await startTestPattern(`rtmp://127.0.0.1:${ports.denied}/live/${token}`, 2, 'flv');
    const refused = await rtmp.done;
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('No broadcast credit');
    const http = await livePush(ports.denied!, token, 2);
    const answer = await http.answer;
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error).toEqual({ code: 'HOOK_DENIED', message: 'No broadcast credit' });
    const calls = hook.callsFor('denied', 'broke');
    expect(calls.every((call) => call.verified)).toBe(true);
    expect(calls[0]?.body).toMatchObject({ action: 'publish', room: 'denied', user: 'broke', role: 'producer', protocol: 'rtmp', ip: '127.0.0.1' });
    // The deny is cached briefly: the HTTP attempt right after was answered without a call.
    expect(calls).toHaveLength(1);
  });

  it('ends a publish at the expiresAt the hook answered: SESSION_EXPIRED, the stream ends', async () => {
    const watcher = await watch('timed');
    const push = await livePush(ports.timed!, await server.token('timed', 'tina', 'producer'), 30);
    await watcher.next(isStream(true), 15_000);
    const answer = await push.answer;
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error.code).toBe('SESSION_EXPIRED');
    await watcher.next(isStream(false), 10_000);
    expect(hook.callsFor('timed', 'tina')[0]?.body).toMatchObject({ action: 'publish', protocol: 'http' });
  });

  it("ends a producer's session from the admin API: the broadcast stops with the reason", async () => {
    const watcher = await watch('ended');
    const publisher = await startTestPattern(`rtmp://127.0.0.1:${ports.ended}/live/${await server.token('ended', 'olga', 'producer')}`, 30, 'flv');
    await watcher.next(isStream(true), 15_000);
    const ended = await server.admin('POST', '/api/v1/users/olga/end-sessions', { reason: 'Out of credit' });
    expect(ended.body.data).toEqual({ user: 'olga', room: null, connections: 0, streams: ['ended'] });
    const { code, stderr } = await publisher.done;
    expect(code).not.toBe(0);
    expect(stderr).toContain('Out of credit');
    await watcher.next(isStream(false), 10_000);
  });
});
