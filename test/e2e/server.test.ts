import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unusedPort } from '../helpers/ports.js';
import { roomAnswer, serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

describe('chat server over HTTP (real processes)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let lb2: number;

  beforeAll(async () => {
    // Load balancers that do not answer must not stop the server.
    const lb1 = await unusedPort();
    lb2 = await unusedPort();
    server = await start({
      workers: 2,
      roomPortCount: 16,
      env: { LOADBALANCERS: `https://127.0.0.1:${lb1},http://127.0.0.1:${lb2}`, LOADBALANCER_KEY: 'LB_TESTING_KEY' },
    });
  });

  it('answers the original deployment transcript', async () => {
    const info = await server.api('GET', '/api/v1/');
    expect(info.status).toBe(200);
    expect(info.body).toEqual({ data: { app: 'chatserver', version: '1.0.0' } });

    const admin = await server.admin('GET', '/api/v1/');
    expect(admin.status).toBe(200);
    expect(admin.body).toEqual({ data: { app: 'Admin chatserver', version: '1.0.0' } });

    const created = await server.createRoom('testroom');
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ data: { port: server.roomPorts.first, message: 'Room created' } });

    expect(await roomAnswer(server.roomPorts.first)).toBe('testroom');
  });

  it('kept running and retrying while the load balancers were down', async () => {
    expect((await server.api('GET', '/health')).status).toBe(200);
    // A load balancer appears where none answered: the server's next try reaches it.
    const registrations: string[] = [];
    const lb = http.createServer((request, response) => {
      registrations.push(`${request.method} ${request.url}`);
      response.writeHead(503).end();
    });
    await new Promise<void>((resolve) => lb.listen(lb2, '127.0.0.1', resolve));
    try {
      await expect.poll(() => registrations, { timeout: 10_000, interval: 50 }).toContain('POST /api/v1/servers');
    } finally {
      lb.closeAllConnections();
      await new Promise((resolve) => lb.close(resolve));
    }
  });

  it('creates rooms idempotently', async () => {
    const first = await server.createRoom('same-room');
    const again = await server.createRoom('same-room');
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({ port: first.body.data.port, message: 'Room already exists' });
  });

  it('answers concurrent creates of one name with one room', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => server.createRoom('race')));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.data.port)).size).toBe(1);
  });

  it('spreads rooms over the workers', async () => {
    for (const name of ['spread-a', 'spread-b', 'spread-c', 'spread-d']) expect((await server.createRoom(name)).status).toBe(201);
    const rooms = await server.admin('GET', '/api/v1/rooms');
    const perWorker = new Map<number, number>();
    for (const room of rooms.body.data as Array<{ worker: number; workerPid: number }>) {
      perWorker.set(room.workerPid, (perWorker.get(room.workerPid) ?? 0) + 1);
    }
    expect(perWorker.size).toBe(2);
    const counts = [...perWorker.values()];
    expect(Math.abs(counts[0]! - counts[1]!)).toBeLessThanOrEqual(1);
  });

  it('refuses a missing or wrong key with 401 and the error envelope', async () => {
    const missing = await server.api('POST', '/api/v1/room/nokey');
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('UNAUTHORIZED');
    const wrong = await server.api('POST', '/api/v1/room/nokey', { key: 'TESTING_KEY_' });
    expect(wrong.status).toBe(401);
    const adminWithRoomKey = await server.api('GET', '/api/v1/', { admin: true, key: 'TESTING_KEY' });
    expect(adminWithRoomKey.status).toBe(401);
    const adminNoKey = await server.api('GET', '/api/v1/stats', { admin: true });
    expect(adminNoKey.status).toBe(401);
    expect((await server.api('DELETE', '/api/v1/room/testroom')).status).toBe(401);
    expect((await server.api('GET', '/api/v1/room/nokey')).status).toBe(404);
  });

  it('refuses bad room names with 400', async () => {
    for (const name of ['bad.name', 'a'.repeat(65), 'sp%20ace', 'a%2Fb', '%00', 'caf%C3%A9', 'semi%3Bcolon']) {
      const answer = await server.api('POST', `/api/v1/room/${name}`, { key: 'TESTING_KEY' });
      expect(answer.status, name).toBe(400);
      expect(answer.body.error.code).toBe('INVALID_ROOM_NAME');
    }
    expect((await server.api('GET', '/api/v1/room/bad.name')).status).toBe(400);
  });

  it('answers unknown routes and oversized bodies with the error envelope', async () => {
    const missing = await server.api('GET', '/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const big = await server.api('POST', '/api/v1/room/bigbody', {
      key: 'TESTING_KEY',
      body: JSON.stringify({ filler: 'x'.repeat(200_000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const broken = await server.api('POST', '/api/v1/room/brokenjson', {
      key: 'TESTING_KEY',
      body: '{"a":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('BAD_REQUEST');
  });

  it('shows a room, lists rooms, and deletes a room freeing its port', async () => {
    const created = await server.createRoom('short-lived');
    const port = created.body.data.port as number;
    const shown = await server.api('GET', '/api/v1/room/short-lived');
    expect(shown.body.data).toMatchObject({ name: 'short-lived', port, clients: 0, live: false, status: 'open' });
    expect(Date.parse(shown.body.data.createdAt)).not.toBeNaN();
    const listed = await server.api('GET', '/api/v1/rooms');
    expect(listed.body.data.map((r: { name: string }) => r.name)).toContain('short-lived');

    const deleted = await server.api('DELETE', '/api/v1/room/short-lived', { key: 'TESTING_KEY' });
    expect(deleted.status).toBe(200);
    expect(await roomAnswer(port)).toBe('error: ECONNREFUSED');
    expect((await server.api('GET', '/api/v1/room/short-lived')).status).toBe(404);
    expect((await server.api('DELETE', '/api/v1/room/short-lived', { key: 'TESTING_KEY' })).status).toBe(404);

    // The freed port is the lowest free one again.
    const reused = await server.createRoom('takes-the-port');
    expect(reused.body.data.port).toBe(port);
  });

  it('serves room health and a JSON 404 on the room port', async () => {
    const health = await fetch(`http://127.0.0.1:${server.roomPorts.first}/health`);
    expect(await health.json()).toMatchObject({ data: { status: 'ok', room: 'testroom' } });
    const missing = await fetch(`http://127.0.0.1:${server.roomPorts.first}/nothing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('reports health, stats and the admin room list', async () => {
    const health = await server.api('GET', '/health');
    expect(health.body.data).toMatchObject({ status: 'ok', workers: { ready: 2, total: 2 } });
    const stats = await server.admin('GET', '/api/v1/stats');
    expect(stats.body.data.workers).toHaveLength(2);
    expect(stats.body.data.store.kind).toBe('embedded');
    expect(stats.body.data.cache.version).toBeGreaterThanOrEqual(1);
    const rooms = await server.admin('GET', '/api/v1/rooms');
    const testroom = rooms.body.data.find((r: { name: string }) => r.name === 'testroom');
    expect(testroom).toMatchObject({ port: server.roomPorts.first, status: 'open' });
    expect(typeof testroom.workerPid).toBe('number');
  });

  it('closes a room from the admin API', async () => {
    const created = await server.createRoom('admin-closes');
    const closed = await server.admin('DELETE', '/api/v1/room/admin-closes');
    expect(closed.status).toBe(200);
    expect(await roomAnswer(created.body.data.port)).toBe('error: ECONNREFUSED');
  });

  it('answers 503 NO_PORTS_AVAILABLE when the range is full', async () => {
    const { last } = server.roomPorts;
    let i = 0;
    let answer = await server.createRoom(`fill-${i}`);
    while (answer.status === 201) answer = await server.createRoom(`fill-${++i}`);
    expect(answer.status).toBe(503);
    expect(answer.body.error.code).toBe('NO_PORTS_AVAILABLE');
    expect(await roomAnswer(last)).toBe(`fill-${i - 1}`);
  });
});
