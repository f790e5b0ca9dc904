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
    const users = listed.body.data as Array<Record<string, unknown>>;
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
    expect(((await server.admin('GET', '/api/v1/room/usersroom/users')).body.data as Array<Record<string, unknown>>).find((user) => user.id === 'ann')).toMatchObject({ mutedUntil: until });

    expect((await server.admin('POST', '/api/v1/room/usersroom/users/ghost/mute', { duration: 60 })).status).toBe(404);
    expect((await server.admin('POST', '/api/v1/room/usersroom/users/ann/mute', { duration: 0 })).status).toBe(400);
    expect((await server.admin('GET', '/api/v1/room/nosuchroom/users')).status).toBe(404);
    expect((await server.admin('GET', '/api/v1/room/bad!name/users')).status).toBe(400);
  });
});
