import { afterEach, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { serversPerTest } from '../helpers/ServerProcess.js';

describe('admin API: a room\'s users and muting one (real server, real chat clients)', () => {
  const start = serversPerTest(afterEach);
  const clients: ChatTestClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.ws.terminate();
  });

  it('lists who is in a room, mutes one of them (announced, refused messages) and answers 404 for strangers', { timeout: 25_000 }, async () => {
    const server = await start({ workers: 1 });
    const port = (await server.createRoom('usersroom')).body.data.port as number;
    const ann = await ChatTestClient.join(port, { token: await server.token('usersroom', 'ann') });
    const bob = await ChatTestClient.join(port, { name: 'Bob' });
    const mod = await ChatTestClient.join(port, { token: await server.token('usersroom', 'mod', 'moderator') });
    clients.push(ann.client, bob.client, mod.client);

    const listed = await server.admin('GET', '/api/v1/room/usersroom/users');
    expect(listed.status).toBe(200);
    expect(listed.body.data.total).toBe(3);
    const users = listed.body.data.users as Array<Record<string, unknown>>;
    expect(users.map((user) => user.id).sort()).toEqual(['ann', bob.welcome.you.id, 'mod'].sort());
    expect(users.find((user) => user.id === 'ann')).toEqual({ id: 'ann', name: 'ann', role: 'viewer', anonymous: false, connections: 1, mutedUntil: null });
    expect(users.find((user) => user.id === bob.welcome.you.id)).toMatchObject({ name: 'Bob', anonymous: true });
    expect(users.find((user) => user.id === 'mod')).toMatchObject({ role: 'moderator' });

    const muted = await server.admin('POST', '/api/v1/room/usersroom/users/ann/mute', { duration: 60, reason: 'cool down' });
    expect(muted.status).toBe(200);
    expect(muted.body.data).toMatchObject({ room: 'usersroom', user: 'ann' });
    const until = muted.body.data.mutedUntil as number;
    expect(until).toBeGreaterThan(Date.now() + 50_000);
    expect(await bob.client.next((f) => f.type === 'moderation')).toMatchObject({ action: 'mute', user: 'ann', by: 'admin', reason: 'cool down', until });
    ann.client.send({ type: 'message', text: 'still here?', ref: 1 });
    expect(await ann.client.next((f) => f.type === 'error' && f.ref === 1)).toMatchObject({ code: 'MUTED', until });
    expect(((await server.admin('GET', '/api/v1/room/usersroom/users')).body.data.users as Array<Record<string, unknown>>).find((user) => user.id === 'ann')).toMatchObject({ mutedUntil: until });

    const ghost = await server.admin('POST', '/api/v1/room/usersroom/users/ghost/mute', { duration: 60 });
    expect([ghost.status, ghost.body.error.code]).toEqual([404, 'USER_NOT_FOUND']);
    const kickGhost = await server.admin('DELETE', '/api/v1/room/usersroom/users/ghost');
    expect([kickGhost.status, kickGhost.body.error.code]).toEqual([404, 'USER_NOT_FOUND']);
    expect((await server.admin('POST', '/api/v1/room/usersroom/users/ann/mute', { duration: 0 })).status).toBe(400);
    expect((await server.admin('GET', '/api/v1/room/nosuchroom/users')).status).toBe(404);
    expect((await server.admin('GET', '/api/v1/room/bad!name/users')).status).toBe(400);
  });

  it('answers at most ?limit= users (default 200), those whose name or id contains ?q=, and how many match', { timeout: 40_000 }, async () => {
    const server = await start({ workers: 1, env: { MAX_CONNECTIONS_PER_IP: '1000' } });
    const port = (await server.createRoom('crowd')).body.data.port as number;
    for (let i = 0; i < 205; i++) clients.push((await ChatTestClient.join(port, { name: `Crowd ${i}` })).client);
    clients.push((await ChatTestClient.join(port, { token: await server.token('crowd', 'SpecialOne') })).client);
    const list = async (query: string) => {
      const answer = await server.admin('GET', `/api/v1/room/crowd/users${query}`);
      expect(answer.status).toBe(200);
      return answer.body.data as { users: Array<{ id: string; name: string }>; total: number };
    };

    const first = await list('');
    expect([first.users.length, first.total]).toEqual([200, 206]);
    // In the order they joined: the first 200 of the crowd.
    expect(first.users.at(-1)!.name).toBe('Crowd 199');
    expect(await list('?limit=1000')).toMatchObject({ total: 206 });
    expect((await list('?limit=1000')).users).toHaveLength(206);
    const three = await list('?limit=3');
    expect([three.users.map((user) => user.name), three.total]).toEqual([['Crowd 0', 'Crowd 1', 'Crowd 2'], 206]);
    // A substring of the name, any case.
    const nineteens = await list('?q=crOWD%2019');
    expect(nineteens.users.map((user) => user.name).sort()).toEqual(['Crowd 19', ...Array.from({ length: 10 }, (_, i) => `Crowd 19${i}`)].sort());
    expect(nineteens.total).toBe(11);
    expect(await list('?q=crowd%2019&limit=2')).toMatchObject({ total: 11, users: [{ name: 'Crowd 19' }, { name: 'Crowd 190' }] });
    // Or of the id.
    expect(await list('?q=specialo')).toMatchObject({ total: 1, users: [{ id: 'SpecialOne' }] });
    expect(await list('?q=nobody')).toEqual({ users: [], total: 0 });

    for (const query of ['?limit=0', '?limit=1001', '?limit=ten', `?q=${'x'.repeat(129)}`]) expect((await server.admin('GET', `/api/v1/room/crowd/users${query}`)).status, query).toBe(400);
  });

  it('bans a user in the room through its worker: an anonymous user\'s address too, so a new anonymous id does not get back in', { timeout: 25_000 }, async () => {
    const server = await start({ workers: 1 });
    const port = (await server.createRoom('banroom')).body.data.port as number;
    const watcher = (await ChatTestClient.join(port, { token: await server.token('banroom', 'watcher') })).client;
    const anon = await ChatTestClient.join(port, { name: 'Lurker' });
    const mod = await ChatTestClient.join(port, { token: await server.token('banroom', 'mod', 'moderator') });
    clients.push(watcher, anon.client, mod.client);
    const anonId = anon.welcome.you.id as string;

    const banned = await server.admin('POST', `/api/v1/room/banroom/users/${encodeURIComponent(anonId)}/ban`, { duration: 600, reason: 'spam' });
    expect(banned.status).toBe(201);
    expect(banned.body.data).toMatchObject({ room: 'banroom', user: anonId, bans: [{ user: 'ip:127.0.0.1', room: 'banroom', reason: 'spam' }, { user: anonId, room: 'banroom', reason: 'spam' }] });
    const expiresAt = banned.body.data.bans[1].expiresAt as number;
    expect(expiresAt).toBeGreaterThan(Date.now() + 500_000);
    expect(await anon.client.closed).toMatchObject({ code: 4004, reason: 'spam' });
    expect(await watcher.next((f) => f.type === 'moderation' && f.user === anonId)).toMatchObject({ action: 'ban', by: 'admin', reason: 'spam', scope: 'room', until: expiresAt });
    // Stored as the admin API's bans are (no `by`), so GET /api/v1/bans lists them and they can be lifted.
    const stored = (await server.admin('GET', '/api/v1/bans')).body.data as Array<Record<string, unknown>>;
    expect(stored.map((ban) => ban.user).sort()).toEqual(['ip:127.0.0.1', anonId].sort());
    for (const ban of stored) expect(ban).not.toHaveProperty('by');

    // The same person again, under a new anonymous id: the address is banned here.
    const again = await ChatTestClient.connect(port);
    clients.push(again);
    again.send({ type: 'join', name: 'New Name' });
    expect(await again.next()).toMatchObject({ type: 'error', code: 'BANNED', reason: 'your network address is banned here (spam)' });
    // Token holders at that address are not address-banned.
    clients.push((await ChatTestClient.join(port, { token: await server.token('banroom', 'other') })).client);

    // An operator's ban keeps a moderator out too (a moderator's could not).
    expect((await server.admin('POST', '/api/v1/room/banroom/users/mod/ban')).status).toBe(201);
    expect((await mod.client.closed).code).toBe(4004);
    const modAgain = await ChatTestClient.connect(port);
    clients.push(modAgain);
    modAgain.send({ type: 'join', token: await server.token('banroom', 'mod', 'moderator') });
    expect(await modAgain.next()).toMatchObject({ type: 'error', code: 'BANNED' });

    const ghost = await server.admin('POST', '/api/v1/room/banroom/users/ghost/ban', {});
    expect([ghost.status, ghost.body.error.code]).toEqual([404, 'USER_NOT_FOUND']);
    expect((await server.admin('POST', '/api/v1/room/nosuchroom/users/ghost/ban')).body.error.code).toBe('ROOM_NOT_FOUND');
    expect((await server.admin('POST', '/api/v1/room/banroom/users/watcher/ban', { duration: 0 })).status).toBe(400);
    expect(((await server.admin('GET', '/api/v1/bans')).body.data as unknown[]).length).toBe(3);
  });
});
