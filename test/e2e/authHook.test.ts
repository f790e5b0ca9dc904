import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newWebhookSecret } from '../../src/kit/standardWebhooks.js';
import { ChatTestClient, type Frame } from '../helpers/ChatTestClient.js';
import { HookServer, type HookReply } from '../helpers/hookServer.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const SECRET = newWebhookSecret();
/** 150 Cyrillic characters: 300 bytes, past a close frame's 123-byte reason. */
const LONG_REASON = 'Недостаточно средств на счёте: пополните баланс на сайте. '.repeat(3).slice(0, 150);
const TIMEOUT_MS = 300;

/** Users the `credit` room's hook allows (slowly): the site's credit service in small. */
const withCredit = new Set<string>();

/** How the test's hook answers, by room: each test owns its room(s). */
const REPLIES: Record<string, (body: Record<string, unknown>) => HookReply> = {
  shaped: () => ({ status: 200, body: { name: 'Credit Carl', role: 'viewer' } }),
  deny: () => ({ status: 403, body: { reason: 'No credit left: top up at site.example' } }),
  denylong: () => ({ status: 403, body: { reason: LONG_REASON } }),
  bigdeny: () => ({ status: 403, body: `<html>${'Forbidden '.repeat(10_000)}</html>` }),
  credit: (body) => (withCredit.has(String(body.user)) ? { status: 200, delayMs: 1_000 } : { status: 403, body: { reason: 'No credit left' } }),
  slow: () => ({ status: 200, delayMs: TIMEOUT_MS * 4 }),
  broken: () => ({ status: 500, body: 'oops' }),
  redirect: () => ({ status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } }),
  huge: () => ({ status: 200, body: { name: 'x'.repeat(10), pad: 'y'.repeat(100_000) } }),
  raise: () => ({ status: 200, body: { role: 'moderator' } }),
  cached: () => ({ status: 204 }),
  expiring: () => ({ status: 200, body: { expiresAt: new Date(Date.now() + 1_500).toISOString() } }),
};

/**
 * The join hook with a real hook server in the test and real server processes: the request is
 * signed (checked with the standardwebhooks package), allows shape the join, denies reach the
 * client with their reason, timeouts and errors follow AUTH_HOOK_FAILURE, answers are cached,
 * expiresAt ends a session, and the admin API ends a user's sessions in one room or everywhere.
 */
describe('join hook (AUTH_HOOK_URL)', () => {
  const start = serversPerFile(afterAll);
  let hook: HookServer;
  let deny: ServerProcess;
  let allow: ServerProcess;
  const ports: Record<string, number> = {};
  const clients: ChatTestClient[] = [];

  const hookEnv = (failure: 'deny' | 'allow') => ({
    AUTH_HOOK_URL: hook.url,
    AUTH_HOOK_SECRET: SECRET,
    AUTH_HOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    AUTH_HOOK_FAILURE: failure,
    AUTH_HOOK_CACHE_SECONDS: '30',
  });
  /** Connects and sends a join; resolves with the first welcome or error, and the client. */
  const tryJoin = async (port: number, join: { token?: string; name?: string }) => {
    const client = await ChatTestClient.connect(port);
    clients.push(client);
    client.send({ type: 'join', ...join });
    return { client, first: await client.next((f: Frame) => f.type === 'welcome' || f.type === 'error') };
  };

  beforeAll(async () => {
    hook = await HookServer.start(SECRET);
    hook.reply = (body) => (REPLIES[String(body.room)] ?? (() => ({ status: 204 })))(body);
    [deny, allow] = await Promise.all([start({ workers: 1, roomPortCount: 16, env: hookEnv('deny') }), start({ workers: 1, roomPortCount: 4, env: hookEnv('allow') })]);
    for (const name of Object.keys(REPLIES).concat(['plain', 'other'])) ports[name] = (await deny.createRoom(name)).body.data.port;
    for (const name of ['slow', 'broken', 'bigdeny']) ports[`allow-${name}`] = (await allow.createRoom(name)).body.data.port;
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await hook?.close();
  });

  it('signs the request (Standard Webhooks, verified independently) and sends action, room, user, role, ip and protocol', async () => {
    const { first } = await tryJoin(ports.plain!, { token: await deny.token('plain', 'alice', 'moderator') });
    expect(first.type).toBe('welcome');
    const [call] = hook.callsFor('plain', 'alice');
    expect(call?.verified).toBe(true);
    expect(call?.headers['webhook-id']).toMatch(/^msg_/);
    expect(call?.body).toEqual({ action: 'join', room: 'plain', user: 'alice', role: 'moderator', name: 'alice', anonymous: false, ip: '127.0.0.1', protocol: 'chat' });
  });

  it('applies an allow: the display name, and a role lowered to viewer (a moderator token cannot kick then)', async () => {
    const { client, first } = await tryJoin(ports.shaped!, { token: await deny.token('shaped', 'carl', 'moderator') });
    expect(first).toMatchObject({ type: 'welcome', you: { id: 'carl', name: 'Credit Carl', role: 'viewer' } });
    client.send({ type: 'kick', user: 'nobody', ref: 'k' });
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'FORBIDDEN', ref: 'k' });
  });

  it("refuses on a 403: the client gets HOOK_DENIED with the hook's reason, then close 4005", async () => {
    const { client, first } = await tryJoin(ports.deny!, { name: 'broke' });
    expect(first).toMatchObject({ type: 'error', code: 'HOOK_DENIED', message: 'No credit left: top up at site.example' });
    expect(await client.closed).toEqual({ code: 4005, reason: 'No credit left: top up at site.example' });
    expect(hook.callsFor('deny')[0]?.body).toMatchObject({ action: 'join', anonymous: true, role: 'viewer', name: 'broke' });
  });

  it('sends a long reason in any language whole in the error, and cut to whole characters within 123 bytes in the close frame', async () => {
    const { client, first } = await tryJoin(ports.denylong!, { name: 'broke' });
    expect(first).toMatchObject({ type: 'error', code: 'HOOK_DENIED', message: LONG_REASON });
    const closed = await client.closed;
    expect(closed.code).toBe(4005);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
    expect(closed.reason.length).toBeGreaterThan(50);
    expect(LONG_REASON.startsWith(closed.reason)).toBe(true);
  });

  it.each(['slow', 'broken', 'redirect', 'huge', 'raise'])('AUTH_HOOK_FAILURE=deny: a hook that is %s refuses the join with HOOK_UNAVAILABLE (1013)', async (room) => {
    const startedAt = Date.now();
    const { client, first } = await tryJoin(ports[room]!, { token: await deny.token(room, 'dana') });
    expect(first).toMatchObject({ type: 'error', code: 'HOOK_UNAVAILABLE' });
    expect((await client.closed).code).toBe(1013);
    if (room === 'slow') expect(Date.now() - startedAt).toBeLessThan(TIMEOUT_MS * 4);
    // A failure is not cached: the next join asks again.
    await tryJoin(ports[room]!, { token: await deny.token(room, 'dana') });
    expect(hook.callsFor(room, 'dana')).toHaveLength(2);
  });

  it.each(['slow', 'broken'])('AUTH_HOOK_FAILURE=allow: a hook that is %s lets the join through with the token as it is', async (room) => {
    const { first } = await tryJoin(ports[`allow-${room}`]!, { token: await allow.token(room, 'erin', 'moderator') });
    expect(first).toMatchObject({ type: 'welcome', you: { id: 'erin', role: 'moderator' } });
  });

  it('AUTH_HOOK_FAILURE=allow: a 403 whose body is too big to read is still a refusal', async () => {
    const { first } = await tryJoin(ports['allow-bigdeny']!, { token: await allow.token('bigdeny', 'erin') });
    expect(first).toMatchObject({ type: 'error', code: 'HOOK_DENIED' });
  });

  it('does not let in a join whose allow was asked before the site ended the user\'s sessions: the hook is asked again', async () => {
    withCredit.add('kate');
    const joining = tryJoin(ports.credit!, { token: await deny.token('credit', 'kate') });
    await vi.waitFor(() => expect(hook.callsFor('credit', 'kate')).toHaveLength(1));
    // The credit runs out while the hook's allow is on its way.
    withCredit.delete('kate');
    expect((await deny.admin('POST', '/api/v1/users/kate/end-sessions', { room: 'credit', reason: 'Credit ran out' })).status).toBe(200);
    expect((await joining).first).toMatchObject({ type: 'error', code: 'HOOK_DENIED', message: 'No credit left' });
    expect(hook.callsFor('credit', 'kate')).toHaveLength(2);
  });

  it('caches an answer: a reconnect within AUTH_HOOK_CACHE_SECONDS makes no hook call', async () => {
    const token = await deny.token('cached', 'frank');
    const once = await tryJoin(ports.cached!, { token });
    expect(once.first.type).toBe('welcome');
    once.client.close();
    await once.client.closed;
    const again = await tryJoin(ports.cached!, { token });
    expect(again.first.type).toBe('welcome');
    expect(hook.callsFor('cached', 'frank')).toHaveLength(1);
    const metrics = String((await deny.admin('GET', '/metrics')).body);
    expect(Number(/^chatserver_auth_hook_cached_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
  });

  it('ends a chat session at the expiresAt the hook answered: SESSION_EXPIRED, then close 4006', async () => {
    const { client, first } = await tryJoin(ports.expiring!, { token: await deny.token('expiring', 'gina') });
    expect(first.type).toBe('welcome');
    const startedAt = Date.now();
    expect(await client.next((f) => f.type === 'error', 5_000)).toMatchObject({ code: 'SESSION_EXPIRED' });
    expect((await client.closed).code).toBe(4006);
    expect(Date.now() - startedAt).toBeGreaterThan(500);
  });

  it("ends a user's sessions from the admin API: in one room, then everywhere, with the reason the client sees; the hook is asked again after", async () => {
    const inPlain = (await tryJoin(ports.plain!, { token: await deny.token('plain', 'hank') })).client;
    const inOther = (await tryJoin(ports.other!, { token: await deny.token('other', 'hank') })).client;
    const bystander = (await tryJoin(ports.plain!, { token: await deny.token('plain', 'ivy') })).client;
    const callsBefore = hook.callsFor('plain', 'hank').length;

    const one = await deny.admin('POST', '/api/v1/users/hank/end-sessions', { room: 'plain', reason: 'Credit ran out' });
    expect(one.status, JSON.stringify(one.body)).toBe(200);
    expect(one.body.data).toEqual({ user: 'hank', room: 'plain', connections: 1, streams: [] });
    expect(await inPlain.next((f) => f.type === 'error')).toMatchObject({ code: 'SESSION_ENDED', message: 'Credit ran out' });
    expect(await inPlain.closed).toEqual({ code: 4006, reason: 'Credit ran out' });
    await inOther.sync();
    await bystander.sync();

    const all = await deny.admin('POST', '/api/v1/users/hank/end-sessions', {});
    expect(all.body.data).toMatchObject({ user: 'hank', room: null, connections: 1 });
    expect(await inOther.next((f) => f.type === 'error')).toMatchObject({ code: 'SESSION_ENDED', message: 'Your session was ended by the site' });
    expect((await inOther.closed).code).toBe(4006);
    await bystander.sync();

    // The cached allow was dropped: the next join asks the hook again.
    await tryJoin(ports.plain!, { token: await deny.token('plain', 'hank') });
    expect(hook.callsFor('plain', 'hank').length).toBe(callsBefore + 1);
  });

  it('ends a session with a long reason in any language: the admin API answers 200 and the client is closed', async () => {
    const client = (await tryJoin(ports.plain!, { token: await deny.token('plain', 'jack') })).client;
    const ended = await deny.admin('POST', '/api/v1/users/jack/end-sessions', { room: 'plain', reason: LONG_REASON });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'SESSION_ENDED', message: LONG_REASON });
    expect((await client.closed).code).toBe(4006);
  });

  it('refuses bad end-sessions input with a clear error', async () => {
    expect((await deny.admin('POST', '/api/v1/users/hank/end-sessions', { room: 'no such room!' })).body.error.code).toBe('INVALID_ROOM_NAME');
    expect((await deny.admin('POST', '/api/v1/users/hank/end-sessions', { room: 'missing' })).status).toBe(404);
    expect((await deny.admin('POST', '/api/v1/users/hank/end-sessions', { reason: 'r'.repeat(500) })).body.error.code).toBe('BAD_REQUEST');
    expect((await deny.admin('POST', `/api/v1/users/${'u'.repeat(200)}/end-sessions`, {})).status).toBe(400);
  });
});
