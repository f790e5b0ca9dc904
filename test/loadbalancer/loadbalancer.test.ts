import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomAnswer, ServerProcess } from '../helpers/ServerProcess.js';

const HEARTBEAT_MS = 300;
const LB_KEY = 'LB_TESTING_KEY';

/** Two load balancers and chat servers, all real processes, as docker-compose runs them. */
describe('load balancers with real chat servers', () => {
  const lbPorts: number[] = [];
  const lbs: ServerProcess[] = [];
  let chat: ServerProcess;

  /** On the OS's pick of port; a restart keeps the port the chat servers know. */
  const startLb = async (index: number) => {
    // This shared 2-core machine is often saturated while the suite runs: no server may turn
    // `full` here (the load rules have their own unit tests).
    const env = { HEARTBEAT_MS: String(HEARTBEAT_MS), DROP_AFTER_MS: '20000', WARNING_LOAD: '0.99', FULL_LOAD: '1' };
    const lb = await ServerProcess.startLoadBalancer(lbPorts[index] ?? 0, env);
    lbs[index] = lb;
    lbPorts[index] = lb.port;
    return lb;
  };
  const startChat = (workers = 1) =>
    ServerProcess.start({
      workers,
      env: { LOADBALANCERS: lbPorts.map((port) => `http://127.0.0.1:${port}`).join(','), LOADBALANCER_KEY: LB_KEY },
    });
  const serversOn = async (lb: ServerProcess) => (await lb.api('GET', '/api/v1/servers')).body.data as Array<{ id: string; url: string; state: string; rooms: number; load: Record<string, number> }>;
  const stateOf = async (lb: ServerProcess, url: string) => (await serversOn(lb)).find((server) => server.url === url)?.state ?? 'absent';
  const urlOf = (server: ServerProcess) => `http://127.0.0.1:${server.port}`;

  beforeAll(async () => {
    await Promise.all([startLb(0), startLb(1)]);
    chat = await startChat(2);
  });
  afterAll(async () => {
    await chat?.dispose();
    await Promise.all(lbs.map((lb) => lb.dispose()));
  });

  it('answers who it is, and refuses writes without the load balancer key', async () => {
    expect((await lbs[0]!.api('GET', '/api/v1/')).body).toEqual({ data: { app: 'loadbalancer', version: '1.0.0' } });
    const registration = JSON.stringify({ url: 'http://x:1', adminUrl: 'http://x:2', host: 'x', workers: 1, version: '1' });
    for (const key of [undefined, 'wrong']) {
      const headers = { 'content-type': 'application/json' };
      expect((await lbs[0]!.api('POST', '/api/v1/servers', { key, body: registration, headers })).status).toBe(401);
      expect((await lbs[0]!.api('PUT', '/api/v1/servers/any/health', { key, body: '{}', headers })).status).toBe(401);
      expect((await lbs[0]!.api('DELETE', '/api/v1/servers/any', { key })).status).toBe(401);
    }
    const bad = await lbs[0]!.api('POST', '/api/v1/servers', { key: LB_KEY, body: '{"url":"ftp://x"}', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect((await lbs[0]!.api('PUT', '/api/v1/servers/unknown/health', { key: LB_KEY, body: JSON.stringify({ status: 'available', load: { cpu: 0, memory: 0, rooms: 0, clients: 0 }, rooms: [] }), headers: { 'content-type': 'application/json' } })).status).toBe(404);
  });

  it('gets every chat server registered on both, with heartbeats carrying load and rooms', async () => {
    for (const lb of lbs) await expect.poll(() => stateOf(lb, urlOf(chat)), { timeout: 10_000 }).toMatch(/^(available|warning)$/);
    await chat.createRoom('direct');
    for (const lb of lbs) {
      await expect.poll(async () => (await lb.api('GET', '/api/v1/rooms/direct')).body.data?.port, { timeout: 5_000 }).toBe(chat.roomPorts.first);
      const [server] = (await serversOn(lb)).filter((s) => s.url === urlOf(chat));
      expect(server!.load).toMatchObject({ rooms: 1, clients: 0 });
      expect(server!.load.cpu).toBeGreaterThanOrEqual(0);
    }
  });

  it('places a new room on a chat server with the caller\'s key, where a lookup then finds it', async () => {
    const place = (key: string) => lbs[1]!.api('POST', '/api/v1/rooms/placed', { key });
    expect((await place('WRONG_KEY')).status).toBe(401);
    const created = await place('TESTING_KEY');
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'placed', host: '127.0.0.1', url: urlOf(chat), message: 'Room created' });
    expect(await roomAnswer(created.body.data.port)).toBe('placed');
    const again = await lbs[0]!.api('POST', '/api/v1/rooms/placed', { key: 'TESTING_KEY' });
    await expect.poll(async () => (await lbs[0]!.api('GET', '/api/v1/rooms/placed')).body.data?.port, { timeout: 5_000 }).toBe(created.body.data.port);
    expect(again.body.data.port).toBe(created.body.data.port);
    expect((await lbs[0]!.api('GET', '/api/v1/rooms')).body.data.map((room: { name: string }) => room.name)).toEqual(expect.arrayContaining(['direct', 'placed']));
    expect((await lbs[0]!.api('GET', '/api/v1/rooms/nowhere')).status).toBe(404);
    expect((await lbs[0]!.api('POST', '/api/v1/rooms/bad%20name', { key: 'TESTING_KEY' })).status).toBe(400);
  });

  it('gets the server back on a load balancer that was killed and restarted', async () => {
    await lbs[0]!.stop('SIGKILL');
    const restarted = await startLb(0);
    const started = Date.now();
    await expect.poll(() => stateOf(restarted, urlOf(chat)), { timeout: 10_000, interval: 50 }).toMatch(/^(available|warning)$/);
    // A 404 on the next heartbeat makes the server register again: within a few heartbeats.
    expect(Date.now() - started).toBeLessThan(HEARTBEAT_MS * 6);
    await expect.poll(async () => (await restarted.api('GET', '/api/v1/rooms/placed')).status, { timeout: 5_000 }).toBe(200);
  });

  it('marks a SIGKILLed chat server stale on both within about 3 heartbeats, and drops a gracefully stopped one', async () => {
    const doomed = await startChat();
    const leaving = await startChat();
    for (const lb of lbs) {
      await expect.poll(() => stateOf(lb, urlOf(doomed)), { timeout: 10_000 }).toMatch(/^(available|warning)$/);
      await expect.poll(() => stateOf(lb, urlOf(leaving)), { timeout: 10_000 }).toMatch(/^(available|warning)$/);
    }
    await doomed.stop('SIGKILL');
    const killedAt = Date.now();
    for (const lb of lbs) await expect.poll(() => stateOf(lb, urlOf(doomed)), { timeout: 10_000, interval: 50 }).toBe('stale');
    expect(Date.now() - killedAt).toBeLessThan(HEARTBEAT_MS * 3 + 1_000);

    await leaving.stop('SIGTERM');
    for (const lb of lbs) expect(await stateOf(lb, urlOf(leaving))).toBe('absent');
    await doomed.dispose();
    await leaving.dispose();
    expect(await stateOf(lbs[1]!, urlOf(chat))).toMatch(/^(available|warning)$/);
  }, 60_000);
});
