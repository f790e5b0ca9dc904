import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { pushTestPattern } from '../helpers/media.js';
import { serversPerTest, ServerProcess } from '../helpers/ServerProcess.js';
import { siteToken, siteTokenKey } from '../helpers/siteTokens.js';

const STRONG_KEY = 'k3y-for-the-token-tests-0123456789';
const STRONG_ADMIN_KEY = 'admin-k3y-for-the-token-tests-0123456789';

/** Joins with a token and answers the error code, or 'welcome'. */
async function joinWith(port: number, token: string): Promise<{ result: string; client: ChatTestClient }> {
  const client = await ChatTestClient.connect(port);
  client.send({ type: 'join', token });
  const frame = await client.next((f) => f.type === 'welcome' || f.type === 'error');
  return { result: frame.type === 'welcome' ? 'welcome' : String(frame.code), client };
}

describe('join tokens: signing key, room epoch, revocation, weak keys (real server)', () => {
  const start = serversPerTest(afterEach);
  const clients: ChatTestClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  const strong = { KEY: STRONG_KEY, ADMIN_KEY: STRONG_ADMIN_KEY };

  it('refuses a token of a room that was deleted and created again (TOKEN_STALE)', async () => {
    const server = await start({ workers: 1, env: strong });
    await server.createRoom('again');
    const old = await server.token('again', 'ann');
    expect((await server.api('DELETE', '/api/v1/room/again', { key: STRONG_KEY })).status).toBe(200);
    const port = (await server.createRoom('again')).body.data.port as number;
    const stale = await joinWith(port, old);
    clients.push(stale.client);
    expect(stale.result).toBe('TOKEN_STALE');
    expect((await stale.client.closed).code).toBe(4001);
    const fresh = await joinWith(port, await server.token('again', 'ann'));
    clients.push(fresh.client);
    expect(fresh.result).toBe('welcome');
  });

  it('keeps tokens valid across a server restart (the stored room keeps its epoch)', async () => {
    const first = await start({ workers: 1, env: strong });
    await first.createRoom('kept');
    const token = await first.token('kept', 'ann');
    await first.stop();
    const second = await start({ workers: 1, env: strong, dataDir: first.dataDir, ports: first.ports });
    const port = (await second.api('GET', '/api/v1/room/kept')).body.data.port as number;
    const joined = await joinWith(port, token);
    clients.push(joined.client);
    expect(joined.result).toBe('welcome');
  });

  it('revokes a user\'s tokens: refused at join, and a connection already joined is closed', async () => {
    const server = await start({ workers: 1, env: strong });
    const port = (await server.createRoom('revoke')).body.data.port as number;
    const token = await server.token('revoke', 'mallory');
    const other = await server.token('revoke', 'bob');
    const joined = await joinWith(port, token);
    clients.push(joined.client);
    expect(joined.result).toBe('welcome');

    const answer = await server.admin('POST', '/api/v1/tokens/revoke', { user: 'mallory' });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ user: 'mallory', room: null });
    expect(await joined.client.next((f) => f.type === 'error')).toMatchObject({ code: 'TOKEN_REVOKED' });
    expect((await joined.client.closed).code).toBe(4001);

    const again = await joinWith(port, token);
    clients.push(again.client);
    expect(again.result).toBe('TOKEN_REVOKED');
    const bob = await joinWith(port, other);
    clients.push(bob.client);
    expect(bob.result).toBe('welcome');
    expect((await server.admin('GET', '/api/v1/tokens/revocations')).body.data).toEqual([expect.objectContaining({ user: 'mallory' })]);
  });

  it('stops a live broadcast when its producer token is revoked', async () => {
    const server = await start({ workers: 1, env: strong });
    const port = (await server.createRoom('onair')).body.data.port as number;
    const token = await server.token('onair', 'caster', 'producer');
    const since = server.logs.length;
    const pushed = pushTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, 60);
    const live = async () => (await server.api('GET', '/api/v1/room/onair')).body.data.live as boolean;
    await expect.poll(live, { timeout: 30_000, interval: 100 }).toBe(true);
    expect((await server.admin('POST', '/api/v1/tokens/revoke', { user: 'caster', room: 'onair' })).status).toBe(200);
    // Why the push stopped shows only here: ffmpeg, the producer, does not say what the server
    // answered (docs/security.md lists this line, with its code).
    const failed = await server.waitForLog((line) => line.msg === 'ingest failed' && line.room === 'onair', 10_000, since);
    expect(failed).toMatchObject({ code: 'TOKEN_INVALID', producer: 'caster' });
    await expect.poll(live, { timeout: 10_000, interval: 100 }).toBe(false);
    // ffmpeg's push ends long before its 60 s: the server cut it.
    expect((await pushed).code).not.toBe(0);
  }, 60_000);

  it('signs with a key derived from KEY as docs/api.md says, never with KEY itself', async () => {
    const server = await start({ workers: 1, env: strong });
    const port = (await server.createRoom('keys')).body.data.port as number;
    const epoch = (await server.api('GET', '/api/v1/room/keys')).body.data.epoch as number;
    expect(typeof epoch).toBe('number');

    const signedWithKey = await siteToken(new TextEncoder().encode(STRONG_KEY), { room: 'keys', sub: 'eve', epoch });
    const documented = await siteToken(siteTokenKey(STRONG_KEY), { room: 'keys', sub: 'site-user', epoch });
    const noEpoch = await siteToken(siteTokenKey(STRONG_KEY), { room: 'keys', sub: 'site-user-2' });
    const results = [];
    for (const token of [signedWithKey, documented, noEpoch]) {
      const joined = await joinWith(port, token);
      clients.push(joined.client);
      results.push(joined.result);
    }
    expect(results).toEqual(['TOKEN_INVALID', 'welcome', 'TOKEN_INVALID']);
  });

  it('signs with TOKEN_SECRET when it is set (its bytes as they are)', async () => {
    const secret = 'a-token-secret-that-is-long-enough-000';
    const server = await start({ workers: 1, env: { ...strong, TOKEN_SECRET: secret } });
    const port = (await server.createRoom('secret')).body.data.port as number;
    const epoch = (await server.api('GET', '/api/v1/room/secret')).body.data.epoch as number;
    const results = [];
    for (const token of [
      await siteToken(new TextEncoder().encode(secret), { room: 'secret', sub: 'site-user', epoch }),
      await siteToken(siteTokenKey(STRONG_KEY), { room: 'secret', sub: 'other', epoch }),
      await server.token('secret', 'minted'),
    ]) {
      const joined = await joinWith(port, token);
      clients.push(joined.client);
      results.push(joined.result);
    }
    expect(results).toEqual(['welcome', 'TOKEN_INVALID', 'welcome']);
  });

  it('refuses a token that claims to live longer than the longest token lifetime, or is issued in the future', async () => {
    const server = await start({ workers: 1, env: strong });
    const port = (await server.createRoom('long')).body.data.port as number;
    const epoch = (await server.api('GET', '/api/v1/room/long')).body.data.epoch as number;
    const forever = await new SignJWT({ room: 'long', name: 'Forever', role: 'viewer', epoch })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('forever')
      .setIssuedAt()
      .setExpirationTime('30d')
      .sign(siteTokenKey(STRONG_KEY));
    const joined = await joinWith(port, forever);
    clients.push(joined.client);
    expect(joined.result).toBe('TOKEN_INVALID');
    // Issued a year ahead: no revocation could ever cover it.
    const now = Math.floor(Date.now() / 1000);
    const ahead = await new SignJWT({ room: 'long', name: 'Ahead', role: 'viewer', epoch })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ahead')
      .setIssuedAt(now + 365 * 86400)
      .setExpirationTime(now + 365 * 86400 + 3600)
      .sign(siteTokenKey(STRONG_KEY));
    const future = await joinWith(port, ahead);
    clients.push(future.client);
    expect(future.result).toBe('TOKEN_INVALID');
  });

  it('warns at start about short or well-known keys, and refuses them with NODE_ENV=production', async () => {
    const server = await start({ workers: 1, env: { KEY: 'TESTING_KEY', ADMIN_KEY: 'short-admin' } });
    const warnings = server.logs.filter((line) => line.level === 40 && typeof line.variable === 'string');
    expect(warnings.map((line) => line.variable)).toEqual(['KEY', 'ADMIN_KEY']);
    expect(String(warnings[0]!.msg)).toMatch(/KEY is a well-known example value/);
    expect(String(warnings[1]!.msg)).toMatch(/ADMIN_KEY is shorter than 16 characters/);

    const { env } = await ServerProcess.environment({ workers: 1, env: { NODE_ENV: 'production', KEY: 'TESTING_KEY', ADMIN_KEY: STRONG_ADMIN_KEY } });
    const refused = ServerProcess.spawn(env);
    expect((await refused.exited).code).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^Invalid configuration: KEY is a well-known example value; NODE_ENV=production refuses it/);
  });

  it('gives room workers none of the primary\'s secrets (ADMIN_KEY, KEY, TOKEN_SECRET, LOADBALANCER_KEY)', async () => {
    const lbKey = 'lb-k3y-for-the-token-tests-0123456789';
    const server = await start({ workers: 2, env: { ...strong, TOKEN_SECRET: 'a-token-secret-that-is-long-enough-000', LOADBALANCER_KEY: lbKey } });
    const stats = await server.admin('GET', '/api/v1/stats');
    const pids = (stats.body.data.workers as Array<{ pid: number }>).map((worker) => worker.pid);
    expect(pids).toHaveLength(2);
    for (const pid of pids) {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const names = environ.map((entry) => entry.split('=', 1)[0]);
      expect(names).not.toContain('ADMIN_KEY');
      expect(names).not.toContain('KEY');
      expect(names).not.toContain('TOKEN_SECRET');
      expect(names).not.toContain('LOADBALANCER_KEY');
      expect(environ.join('\n')).not.toContain(STRONG_ADMIN_KEY);
      expect(environ.join('\n')).not.toContain(STRONG_KEY);
    }
    // The primary itself still has them (it serves the APIs).
    expect(readFileSync(`/proc/${server.pid}/environ`, 'utf8')).toContain(STRONG_ADMIN_KEY);
  });
});
