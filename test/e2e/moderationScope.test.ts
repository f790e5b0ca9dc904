import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient, type Frame } from '../helpers/ChatTestClient.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** What a room moderator may do, and how fast (real server, real sockets). */
describe('moderation limits', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  const clients: ChatTestClient[] = [];
  const ports: Record<string, number> = {};

  const join = async (room: string, how: { token?: string; name?: string }) => {
    const joined = await ChatTestClient.join(ports[room]!, how);
    clients.push(joined.client);
    return joined;
  };
  const token = async (room: string, user: string, role = 'viewer', extra: Record<string, unknown> = {}) => {
    const answer = await server.api('POST', `/api/v1/room/${room}/token`, {
      key: server.env.KEY,
      body: JSON.stringify({ user, name: user, role, ...extra }),
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(200);
    return answer.body.data.token as string;
  };
  /** Sends a moderation frame and resolves with its answer (`ok` or `error`). */
  const act = async (client: ChatTestClient, frame: Record<string, unknown>) => {
    const ref = `act-${Math.random()}`;
    client.send({ ...frame, ref });
    return client.next((f) => (f.type === 'ok' || f.type === 'error') && f.ref === ref);
  };
  const bans = async () => (await server.admin('GET', '/api/v1/bans')).body.data as Frame[];

  beforeAll(async () => {
    server = await start({ workers: 2, roomPortCount: 8, env: { MAX_ROOM_BANS: '5' } });
    // Two workers: rooms are spread over them, so room B's people live in another process.
    for (const name of ['room-a', 'room-b', 'flood', 'capped']) ports[name] = (await server.createRoom(name)).body.data.port;
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  it('keeps a room moderator to its own room: no global bans, no address keys, no other moderators', async () => {
    const { client: modA } = await join('room-a', { token: await token('room-a', 'mod-a', 'moderator') });
    const { client: userA } = await join('room-a', { token: await token('room-a', 'user-a') });
    const { client: modB } = await join('room-b', { token: await token('room-b', 'mod-b', 'moderator') });
    const { client: userB } = await join('room-b', { token: await token('room-b', 'user-b') });
    const { client: anonB } = await join('room-b', { name: 'Guest' });

    expect(await act(modA, { type: 'ban', user: 'user-b', scope: 'global' })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await act(modA, { type: 'ban', user: 'ip:127.0.0.1' })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await act(modA, { type: 'ban', user: 'ip:127.0.0.1', scope: 'global' })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await act(modA, { type: 'ban', user: 'mod-b' })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await act(modA, { type: 'ban', user: 'mod-b', scope: 'global' })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await bans()).toEqual([]);
    // The refusals leave no trace but these audit lines, which docs/security.md promises.
    await server.waitForLog((l) => l.msg === 'moderation refused' && l.moderator === 'mod-a' && l.target === 'ip:127.0.0.1');
    await server.waitForLog((l) => l.msg === 'ban refused: the target is a moderator' && l.moderator === 'mod-a' && l.target === 'mod-b');
    // room B's people are all still there
    for (const client of [modB, userB, anonB]) await client.sync();

    // a moderator who left this room is still a moderator here
    const { client: modA2 } = await join('room-a', { token: await token('room-a', 'mod-a2', 'moderator') });
    modA2.close();
    await modA.next((f) => f.type === 'left' && f.user.id === 'mod-a2');
    expect(await act(modA, { type: 'ban', user: 'mod-a2' })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });

    // the room-scoped ban of someone in the room still works
    expect(await act(modA, { type: 'ban', user: 'user-a', reason: 'rude' })).toEqual({ type: 'ok', ref: expect.any(String) });
    expect((await userA.closed).code).toBe(4004);
    expect(await bans()).toEqual([expect.objectContaining({ user: 'user-a', room: 'room-a', by: 'mod-a' })]);
    // and of someone not here, to keep them out, when the name looks like a user id
    expect(await act(modA, { type: 'ban', user: 'user-b' })).toMatchObject({ type: 'ok' });
    await userB.sync();
    const refused = await ChatTestClient.connect(ports['room-a']!);
    clients.push(refused);
    refused.send({ type: 'join', token: await token('room-a', 'user-b') });
    expect(await refused.next()).toMatchObject({ type: 'error', code: 'BANNED', scope: 'room' });
    for (const ban of await bans()) await server.admin('DELETE', `/api/v1/bans/${ban.id}`);
  });

  it('lets a token minted for it ban globally, never moderators; the admin API bans addresses', async () => {
    const globalToken = await token('room-a', 'site-mod', 'moderator', { globalModerator: true });
    const { client: siteMod } = await join('room-a', { token: globalToken });
    const { client: userB } = await join('room-b', { token: await token('room-b', 'user-b2') });
    await join('room-b', { token: await token('room-b', 'mod-b2', 'moderator') });

    expect(await act(siteMod, { type: 'ban', user: 'mod-b2', scope: 'global' })).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await act(siteMod, { type: 'ban', user: 'user-b2', scope: 'global', duration: 60 })).toMatchObject({ type: 'ok' });
    expect((await userB.closed).code).toBe(4004);
    // only a moderator token may carry the claim
    const bad = await server.api('POST', '/api/v1/room/room-a/token', {
      key: server.env.KEY,
      body: JSON.stringify({ user: 'v', role: 'viewer', globalModerator: true }),
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);

    // both spellings of the test's address (IPv4 may show as IPv4-mapped IPv6 until addresses are normalised)
    for (const user of ['ip:127.0.0.1', 'ip:::ffff:127.0.0.1']) {
      expect((await server.admin('POST', '/api/v1/bans', { user, room: 'room-b', duration: 60 })).status).toBe(201);
    }
    const anon = await ChatTestClient.connect(ports['room-b']!);
    clients.push(anon);
    anon.send({ type: 'join', name: 'Someone' });
    expect(await anon.next()).toMatchObject({ type: 'error', code: 'BANNED' });
    for (const ban of await bans()) await server.admin('DELETE', `/api/v1/bans/${ban.id}`);
  });

  it('rate-limits a moderator flooding bans, and caps the bans moderators set in a room', async () => {
    const { client: mod } = await join('flood', { token: await token('flood', 'flood-mod', 'moderator') });
    // 30 frames at once: under the per-connection frame limit, far over the moderation limit
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => act(mod, { type: 'ban', user: `victim-${i}` })));
    const limited = answers.filter((a) => a.code === 'RATE_LIMITED').length;
    // the burst (10) and what refills while the frames are handled pass; the rest are refused
    expect(limited).toBeGreaterThanOrEqual(15);
    // Audit lines docs/security.md promises (the refusals themselves are the answers above).
    await server.waitForLog((l) => l.msg === 'moderation rate limited' && l.moderator === 'flood-mod');

    // MAX_ROOM_BANS=5: the sixth ban a moderator sets in one room is refused
    const { client: capMod } = await join('capped', { token: await token('capped', 'cap-mod', 'moderator') });
    for (let i = 0; i < 5; i++) expect(await act(capMod, { type: 'ban', user: `kept-out-${i}` })).toMatchObject({ type: 'ok' });
    expect(await act(capMod, { type: 'ban', user: 'one-too-many' })).toMatchObject({ type: 'error', code: 'BAN_LIMIT' });
    await server.waitForLog((l) => l.msg === 'ban refused: room ban limit reached' && l.room === 'capped');
    // the admin API is not capped
    expect((await server.admin('POST', '/api/v1/bans', { user: 'one-too-many', room: 'capped' })).status).toBe(201);
  });
});
