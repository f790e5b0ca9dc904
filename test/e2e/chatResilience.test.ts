import { afterEach, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { RawWebSocket } from '../helpers/rawWebSocket.js';
import { serversPerTest } from '../helpers/ServerProcess.js';

describe('chat resilience (real processes)', () => {
  const clients: ChatTestClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  const start = serversPerTest(afterEach);

  it('keeps history across a restart', async () => {
    const first = await start({ workers: 1, env: { CHAT_RATE: '100', CHAT_BURST: '100' } });
    const port = (await first.createRoom('durable')).body.data.port as number;
    const { client } = await ChatTestClient.join(port, { name: 'Writer' });
    for (let i = 1; i <= 5; i++) client.send({ type: 'message', text: `before restart ${i}`, ref: i });
    await client.next((f) => f.type === 'message' && f.ref === 5);
    const closing = client.closed;
    expect((await first.stop('SIGTERM')).code).toBe(0);
    expect((await closing).code).toBe(1001);

    const second = await start({ workers: 1, dataDir: first.dataDir, ports: first.ports });
    const { client: reader, welcome } = await ChatTestClient.join(port, { name: 'Reader' });
    clients.push(reader);
    expect(welcome.history.map((m: { text: string }) => m.text)).toEqual([1, 2, 3, 4, 5].map((i) => `before restart ${i}`));
    expect(second.pid).not.toBe(first.pid);
  });

  it('loses no acknowledged message when the room worker is killed under load', async () => {
    const server = await start({ workers: 2, env: { CHAT_RATE: '1000', CHAT_BURST: '1000' } });
    const port = (await server.createRoom('under-load')).body.data.port as number;
    const rooms = await server.admin('GET', '/api/v1/rooms');
    const workerPid = rooms.body.data[0].workerPid as number;

    const acked: string[] = [];
    const { client } = await ChatTestClient.join(port, { name: 'Loader' });
    client.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'message' && frame.ref !== undefined) acked.push(frame.id);
    });
    let sent = 0;
    const pump = setInterval(() => {
      for (let i = 0; i < 20; i++) client.send({ type: 'message', text: `load ${sent}`, ref: sent++ });
    }, 5);
    await client.next((f) => f.type === 'message' && f.ref >= 200);
    process.kill(workerPid, 'SIGKILL');
    await client.closed;
    clearInterval(pump);
    expect(acked.length).toBeGreaterThan(200);

    // Started again on the worker that replaced the dead one.
    const reopened = async () => (await server.rooms()).some((room) => room.name === 'under-load' && room.status === 'open' && room.workerPid !== workerPid);
    await expect.poll(reopened, { timeout: 10_000, interval: 50 }).toBe(true);
    const { client: reader } = await ChatTestClient.join(port, { name: 'Counter' });
    clients.push(reader);
    const stored = new Set<string>();
    let before: string | undefined;
    for (;;) {
      reader.send({ type: 'history', ...(before ? { before } : {}) });
      const page = await reader.next((f) => f.type === 'history');
      for (const message of page.messages) stored.add(message.id);
      if (!page.more) break;
      before = page.messages[0].id;
    }
    const missing = acked.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
  });

  it('drops a slow consumer (close SLOW_CONSUMER) and keeps serving the others', async () => {
    // No rate limit in the way: the sender must outrun a client that stopped reading.
    const server = await start({ workers: 1, env: { CHAT_RATE: '1000000', CHAT_BURST: '10000', CHAT_SEND_BUFFER_BYTES: '262144' } });
    const port = (await server.createRoom('slow')).body.data.port as number;
    const slow = await RawWebSocket.connect(port);
    slow.sendText(JSON.stringify({ type: 'join', name: 'Sleepy' }));
    slow.stopReading();
    const { client: sender } = await ChatTestClient.join(port, { name: 'Sender' });
    const { client: reader } = await ChatTestClient.join(port, { name: 'Reader' });
    clients.push(sender, reader);

    const filler = 'y'.repeat(1900);
    let ref = 0;
    /** Clients the worker dropped as slow consumers (chatserver_slow_consumers_total). */
    const slowConsumers = async () => ((await server.stats()).workers as Array<{ counters: { slowConsumers: number } | null }>).reduce((sum, worker) => sum + (worker.counters?.slowConsumers ?? 0), 0);
    const dropped = expect.poll(slowConsumers, { timeout: 50_000, interval: 100 }).toBeGreaterThan(0);
    let done = false;
    void dropped.then(() => (done = true));
    const deadline = Date.now() + 45_000;
    while (!done && Date.now() < deadline) {
      for (let i = 0; i < 20; i++) sender.send({ type: 'message', text: `${ref}:${filler}`, ref: ref++ });
      // The reader keeps up, so only the sleeping client falls behind. A message the loaded
      // primary refused (NOT_PERSISTED: it arrived past its deadline) is never broadcast.
      const lastRef = ref - 1;
      const answer = await sender.next((f) => f.ref === lastRef && (f.type === 'message' || f.type === 'error'), 10_000);
      if (answer.type === 'message') await reader.next((f) => f.type === 'message' && f.id === answer.id, 10_000);
    }
    await dropped;
    // A paused socket reports its end only once read: drain it and see the server hang up.
    slow.drain();
    await slow.ended;
    // Only the client that stopped reading.
    expect(await slowConsumers()).toBe(1);
    reader.send({ type: 'ping', ref: 'alive' });
    expect(await reader.next((f) => f.type === 'pong' && f.ref === 'alive', 10_000)).toBeTruthy();
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(((await health.json()) as { data: { clients: number } }).data.clients).toBe(2);
    // Loopback sockets buffer tens of megabytes in the kernel before the server's own bound is reached.
  }, 60_000);

  it('reaps a dead socket that stops answering pings', async () => {
    const server = await start({ workers: 1, env: { CHAT_HEARTBEAT_MS: '200' } });
    const port = (await server.createRoom('heartbeat')).body.data.port as number;
    const dead = await RawWebSocket.connect(port);
    const opcodes = dead.readOpcodes();
    dead.sendText(JSON.stringify({ type: 'join', name: 'Ghost' }));
    const joinedAt = Date.now();
    const { client: live } = await ChatTestClient.join(port, { name: 'Live' });
    clients.push(live);
    await dead.ended;
    // Pinged, never answering, then cut without a close frame: reaped, not closed for another reason.
    expect(Date.now() - joinedAt).toBeLessThan(5_000);
    expect(opcodes).toContain(0x9);
    expect(opcodes).not.toContain(0x8);
    expect(await live.next((f) => f.type === 'left')).toMatchObject({ user: { name: 'Ghost' } });
    // the ws client answers pings by itself and stays
    live.send({ type: 'ping', ref: 'p' });
    expect(await live.next((f) => f.type === 'pong')).toMatchObject({ ref: 'p' });
  });
});
