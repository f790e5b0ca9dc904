import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { serversPerTest } from '../helpers/ServerProcess.js';
import { receiverPerTest } from '../helpers/WebhookReceiver.js';
import { schemaErrors } from '../helpers/webhookSchemas.js';

describe('webhooks: moderation through the admin API (real server, real receiver)', () => {
  const start = serversPerTest(afterEach);
  const bed = receiverPerTest({ beforeEach, afterEach });
  const clients = bed.clients;

  it('raises moderation.muted, moderation.kicked and moderation.banned with by "admin" for mutes, kicks and bans of the admin API (the room ban route included)', { timeout: 25_000 }, async () => {
    const server = await start({ workers: 1, env: { WEBHOOK_ALLOW_PRIVATE: '1' } });
    expect((await server.admin('POST', '/api/v1/webhooks', { url: bed.receiver.url, events: ['moderation.kicked', 'moderation.banned', 'moderation.muted'] })).status).toBe(201);
    const port = (await server.createRoom('adminmod')).body.data.port as number;
    const viewer = (await ChatTestClient.join(port, { token: await server.token('adminmod', 'viewer1') })).client;
    const lurker = await ChatTestClient.join(port, { name: 'Lurker' });
    clients.push(viewer, lurker.client);

    expect((await server.admin('POST', '/api/v1/room/adminmod/users/viewer1/mute', { duration: 60, reason: 'calm down' })).status).toBe(200);
    const muted = await bed.receiver.event('moderation.muted', (d) => d.user === 'viewer1');
    expect(muted.json.data).toEqual({ room: 'adminmod', user: 'viewer1', by: 'admin', reason: 'calm down' });

    expect((await server.admin('DELETE', '/api/v1/room/adminmod/users/viewer1')).status).toBe(200);
    const kicked = await bed.receiver.event('moderation.kicked', (d) => d.user === 'viewer1');
    expect(kicked.json.data).toEqual({ room: 'adminmod', user: 'viewer1', by: 'admin', reason: 'removed by an operator' });
    // Nobody to kick: a 404 and no event.
    expect((await server.admin('DELETE', '/api/v1/room/adminmod/users/ghost')).status).toBe(404);

    expect((await server.admin('POST', '/api/v1/bans', { user: 'viewer2', room: 'adminmod', reason: 'spam', duration: 60 })).status).toBe(201);
    const banned = await bed.receiver.event('moderation.banned', (d) => d.user === 'viewer2');
    expect(banned.json.data).toMatchObject({ room: 'adminmod', user: 'viewer2', by: 'admin', reason: 'spam' });
    expect(Date.parse(banned.json.data.expiresAt as string)).toBeGreaterThan(Date.now());
    expect((await server.admin('POST', '/api/v1/bans', { user: 'everywhere' })).status).toBe(201);
    const global = await bed.receiver.event('moderation.banned', (d) => d.user === 'everywhere');
    expect(global.json.data).toEqual({ room: null, user: 'everywhere', by: 'admin', reason: 'banned by an operator', expiresAt: null });

    // A ban from the room's user list: one event, for the user, though an anonymous user's address is banned too.
    const lurkerId = lurker.welcome.you.id as string;
    expect((await server.admin('POST', `/api/v1/room/adminmod/users/${encodeURIComponent(lurkerId)}/ban`, { reason: 'lurking' })).status).toBe(201);
    const roomBan = await bed.receiver.event('moderation.banned', (d) => d.user === lurkerId);
    expect(roomBan.json.data).toEqual({ room: 'adminmod', user: lurkerId, by: 'admin', reason: 'lurking', expiresAt: null });
    expect((await server.admin('POST', '/api/v1/room/adminmod/users/ghost/ban')).status).toBe(404);

    for (const received of bed.receiver.received) expect(schemaErrors(received.json), received.body).toEqual([]);
    expect(bed.receiver.received.filter((r) => r.json.data.user === 'ghost')).toEqual([]);
  });
});
