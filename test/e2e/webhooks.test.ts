import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../../src/contracts/webhookEvents.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { serversPerTest, type ServerProcess } from '../helpers/ServerProcess.js';
import { receiverPerTest, verifyWithStandardWebhooks, type Received } from '../helpers/WebhookReceiver.js';
import { schemaErrors } from '../helpers/webhookSchemas.js';

const ENV = { WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_PRESENCE_DEBOUNCE_MS: '400', CHAT_RATE: '50', CHAT_BURST: '50' };

async function createEndpoint(server: ServerProcess, body: object): Promise<{ id: string; secret: string }> {
  const answer = await server.admin('POST', '/api/v1/webhooks', body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.data as { id: string; secret: string };
}

describe('webhooks (real server, real receiver)', () => {
  const start = serversPerTest(afterEach);
  const bed = receiverPerTest({ beforeEach, afterEach });
  const clients = bed.clients;

  it('validates endpoints, never shows a secret twice, and delivers signed, schema-valid events of rooms, chat and moderation', { timeout: 30_000 }, async () => {
    const server = await start({ workers: 1, env: ENV });
    const bad = async (body: unknown, code: string) => {
      const answer = await server.api('POST', '/api/v1/webhooks', { admin: true, key: server.env.ADMIN_KEY, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      expect([answer.status, answer.body.error?.code], JSON.stringify(body)).toEqual([400, code]);
    };
    await bad({}, 'BAD_REQUEST');
    await bad({ url: 'ftp://example.com/x' }, 'WEBHOOK_URL_INVALID');
    await bad({ url: bed.receiver.url, events: ['room.exploded'] }, 'BAD_REQUEST');
    await bad({ url: bed.receiver.url, rooms: ['not a room'] }, 'BAD_REQUEST');
    await bad({ url: `http://127.0.0.1:${server.adminPort}/api/v1/` }, 'WEBHOOK_URL_FORBIDDEN');
    expect((await server.admin('GET', '/api/v1/webhooks/ep_nope')).body.error.code).toBe('WEBHOOK_NOT_FOUND');

    const { id, secret } = await createEndpoint(server, { url: bed.receiver.url, events: [...WEBHOOK_EVENT_TYPES] });
    expect(secret).toMatch(/^whsec_/);
    const listed = await server.admin('GET', '/api/v1/webhooks');
    expect(listed.body.data).toEqual([expect.objectContaining({ id, url: bed.receiver.url, enabled: true })]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify((await server.admin('GET', `/api/v1/webhooks/${id}`)).body)).not.toContain('whsec_');

    const port = (await server.createRoom('hooked')).body.data.port as number;
    await bed.receiver.event('room.created', (d) => d.room === 'hooked');
    const mod = (await ChatTestClient.join(port, { token: await server.token('hooked', 'mod', 'moderator') })).client;
    const viewer = (await ChatTestClient.join(port, { token: await server.token('hooked', 'viewer1') })).client;
    clients.push(mod, viewer);
    await bed.receiver.event('user.joined', (d) => d.user === 'viewer1');
    mod.send({ type: 'message', text: 'hello hooks', ref: 1 });
    const message = await bed.receiver.event('message.created', (d) => d.text === 'hello hooks');
    expect(message.json.data).toMatchObject({ room: 'hooked', user: 'mod' });

    // A reconnect within the debounce is neither a leave nor a new join.
    const again = (await ChatTestClient.join(port, { token: await server.token('hooked', 'bouncer') })).client;
    await bed.receiver.event('user.joined', (d) => d.user === 'bouncer');
    again.close();
    const back = (await ChatTestClient.join(port, { token: await server.token('hooked', 'bouncer') })).client;
    clients.push(back);

    mod.send({ type: 'kick', user: 'viewer1', reason: 'testing', ref: 2 });
    await bed.receiver.event('moderation.kicked', (d) => d.user === 'viewer1' && d.by === 'mod');
    await bed.receiver.event('user.left', (d) => d.user === 'viewer1');
    expect(await server.admin('DELETE', '/api/v1/room/hooked')).toMatchObject({ status: 200 });
    await bed.receiver.event('room.deleted', (d) => d.room === 'hooked');
    await server.admin('POST', '/api/v1/server/accepting', { accepting: false });
    await bed.receiver.event('server.draining');

    const ofUser = (user: string, type: string) => bed.receiver.received.filter((r) => r.json.type === type && r.json.data.user === user);
    expect(ofUser('bouncer', 'user.joined')).toHaveLength(1);
    expect(ofUser('bouncer', 'user.left').length).toBeLessThanOrEqual(1);
    for (const received of bed.receiver.received) {
      expect(schemaErrors(received.json), received.body).toEqual([]);
      expect(verifyWithStandardWebhooks(secret, received)).toBeTruthy();
    }
    // The receiver has the newest event before the primary has written its outcome: wait for that write.
    const deliveries = await vi.waitFor(
      async () => {
        const newest = await server.admin('GET', `/api/v1/webhooks/${id}/deliveries?limit=2`);
        expect(newest.body.data).toHaveLength(2);
        expect(newest.body.data[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 204 });
        return newest;
      },
      { timeout: 10_000 },
    );
    expect((await server.admin('GET', `/api/v1/webhooks/${id}/deliveries?before=${deliveries.body.next as string}&limit=500`)).body.data.length).toBeGreaterThan(5);
    await vi.waitFor(async () => {
      const metrics = String((await server.api('GET', '/metrics', { admin: true, key: server.env.ADMIN_KEY })).body);
      expect(metrics).toMatch(/chatserver_webhook_attempts_total\{result="delivered"\} \d+/);
      expect(metrics).toContain(`chatserver_webhook_pending_deliveries{endpoint="${id}"} 0`);
    });
  });

  it('sends nothing an endpoint did not ask for, message.created only when named', { timeout: 20_000 }, async () => {
    const server = await start({ workers: 1, env: ENV });
    await createEndpoint(server, { url: bed.receiver.url, rooms: ['wanted'] });
    const wanted = (await server.createRoom('wanted')).body.data.port as number;
    await server.createRoom('other');
    const { client } = await ChatTestClient.join(wanted, { name: 'Anon' });
    clients.push(client);
    client.send({ type: 'message', text: 'not opted in', ref: 1 });
    await bed.receiver.event('user.joined', (d) => d.room === 'wanted');
    await server.admin('DELETE', '/api/v1/room/other');
    await server.admin('DELETE', '/api/v1/room/wanted');
    await bed.receiver.event('room.deleted', (d) => d.room === 'wanted');
    expect(bed.receiver.received.map((r) => `${r.json.type as string} ${r.json.data.room as string}`).filter((e) => e.includes('message') || e.includes('other'))).toEqual([]);
  });

  it('delivers every event at least once after the primary is killed with -9 while deliveries are pending', { timeout: 30_000 }, async () => {
    bed.receiver.answer = () => ({ hang: true });
    const server = await start({ workers: 1, env: { ...ENV, WEBHOOK_TIMEOUT_MS: '60000' } });
    await createEndpoint(server, { url: bed.receiver.url });
    const rooms = ['k1', 'k2', 'k3', 'k4'];
    for (const room of rooms) await server.createRoom(room);
    await bed.receiver.waitFor((r) => r.length >= 4);
    await server.stop('SIGKILL');

    bed.receiver.answer = () => ({ status: 204 });
    const sentBefore: Received[] = [...bed.receiver.received];
    const restarted = await start({ workers: 1, dataDir: server.dataDir, ports: server.ports, env: { ...server.env, ...ENV } });
    const created = (all: readonly Received[]) => new Set(all.slice(sentBefore.length).filter((r) => r.json.type === 'room.created').map((r) => r.json.data.room as string));
    await bed.receiver.waitFor((all) => rooms.every((room) => created(all).has(room)), 15_000);
    // The same events (the same webhook-id), not new ones.
    const ids = new Set(sentBefore.map((r) => r.id));
    expect(bed.receiver.received.slice(sentBefore.length).filter((r) => r.json.type === 'room.created').every((r) => ids.has(r.id))).toBe(true);
    expect((await restarted.stats()).webhooks).toMatchObject({ endpoints: 1 });
  });
});
