import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../helpers/ServerProcess.js';

const LB_KEY = 'LB_TESTING_KEY';
const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * A load balancer takes heartbeats from chat servers newer than itself: fields it does not know
 * in a room or its listing are dropped, not refused (a refusal marks the server stale, then drops it).
 */
describe('load balancer heartbeats from a newer chat server', () => {
  let lb: ServerProcess;

  beforeAll(async () => {
    lb = await ServerProcess.startLoadBalancer(0, { LOADBALANCER_KEY: LB_KEY });
  });
  afterAll(async () => {
    await lb?.dispose();
  });

  it('accepts rooms and listings with fields it does not know, and lists what it knows of them', async () => {
    const registration = { url: 'http://127.0.0.1:40001', adminUrl: 'http://127.0.0.1:40002', host: 'newer.example', workers: 1, version: '9.9.9' };
    const registered = await lb.api('POST', '/api/v1/servers', { key: LB_KEY, body: JSON.stringify(registration), headers: JSON_HEADERS });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const id = (registered.body.data as { id: string }).id;
    const listing = { name: 'newroom', title: 'From the future', viewers: 4, chatUsers: 2, liveSince: '2026-12-02T06:00:00.000Z', thumbnailUrl: null, playlistUrl: 'http://127.0.0.1:34000/hls/index.m3u8', port: 34000, sparkle: 'a field of a later version' };
    const heartbeat = { status: 'available', load: { cpu: 0.1, memory: 0.1, rooms: 1, clients: 2 }, rooms: [{ name: 'newroom', port: 34000, clients: 2, live: true, listing, shards: 3 }] };
    const answered = await lb.api('PUT', `/api/v1/servers/${id}/health`, { key: LB_KEY, body: JSON.stringify(heartbeat), headers: JSON_HEADERS });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    const live = (await lb.api('GET', '/api/v1/rooms/live')).body.data as Array<Record<string, unknown>>;
    expect(live).toHaveLength(1);
    expect(live[0]).toMatchObject({ name: 'newroom', title: 'From the future', viewers: 4 });
    expect(live[0]).not.toHaveProperty('sparkle');
  });
});
