import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { sampleMedia } from '../helpers/media.js';
import { IngestSocket } from '../helpers/producer.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** Reads one sample (`name{labels} value`) from Prometheus text; NaN when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

describe('GET /metrics (Prometheus, admin port)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let port: number;
  const clients: ChatTestClient[] = [];

  const scrape = async () => {
    const answer = await server.api('GET', '/metrics', { admin: true, headers: { authorization: `Bearer ${server.env.ADMIN_KEY}` } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return answer.body as string;
  };

  beforeAll(async () => {
    server = await start({ workers: 1 });
    port = (await server.createRoom('metered')).body.data.port;
  });
  afterAll(() => {
    for (const client of clients) client.close();
  });

  it('needs the admin key', async () => {
    expect((await server.api('GET', '/metrics', { admin: true })).status).toBe(401);
    expect((await server.api('GET', '/metrics', { admin: true, headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await server.admin('GET', '/metrics')).status).toBe(200);
  });

  it('counts rooms, connections, messages, deliveries, rate limits, streams and ingest bytes, summed over workers', async () => {
    const a = await ChatTestClient.join(port, { name: 'A' });
    const b = await ChatTestClient.join(port, { name: 'B' });
    clients.push(a.client, b.client);
    for (let i = 0; i < 3; i++) {
      a.client.send({ type: 'message', text: `m${i}`, ref: i });
      await a.client.next((f) => f.ref === i);
    }
    // Past the burst of 6 per connection: refused with RATE_LIMITED.
    for (let i = 0; i < 12; i++) b.client.send({ type: 'message', text: `flood${i}` });
    await b.client.next((f) => f.type === 'error' && f.code === 'RATE_LIMITED');

    const producer = await IngestSocket.live(port, await server.token('metered', 'cam', 'producer'), await sampleMedia('webm-vp8-opus', 2));

    // Room figures are pushed by the worker (at most every 250 ms per room): the list follows within that.
    await expect.poll(async () => (await server.admin('GET', '/api/v1/rooms')).body.data[0], { timeout: 5_000 }).toMatchObject({ name: 'metered', messages: 9, live: true, clients: 2 });
    const text = await scrape();
    expect(sample(text, 'chatserver_rooms{status="open"}')).toBe(1);
    expect(sample(text, 'chatserver_workers{state="ready"}')).toBe(1);
    expect(sample(text, 'chatserver_accepting')).toBe(1);
    expect(sample(text, 'chatserver_live_streams')).toBe(1);
    expect(sample(text, 'chatserver_messages_in_total')).toBeGreaterThanOrEqual(3 + 6);
    expect(sample(text, 'chatserver_rate_limited_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'chatserver_deliveries_total')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'chatserver_ingest_bytes_total')).toBeGreaterThan(10_000);
    expect(sample(text, 'chatserver_streams_started_total')).toBe(1);
    expect(sample(text, 'chatserver_event_loop_lag_seconds{process="worker-0"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'chatserver_event_loop_lag_seconds{process="primary"}')).toBeGreaterThanOrEqual(0);
    expect(text).toContain('chatserver_store_operation_seconds_bucket{le="0.001",kind="write"}');
    expect(text).toContain('chatserver_primary_process_cpu_seconds_total');
    await expect.poll(async () => sample(await scrape(), 'chatserver_messages_stored_total'), { timeout: 5_000 }).toBeGreaterThanOrEqual(9);
    await expect.poll(async () => sample(await scrape(), 'chatserver_connections'), { timeout: 10_000 }).toBe(2);
    producer.close();
    await producer.closed;
  }, 30_000);

  it('keeps counters growing when a worker dies and is replaced', async () => {
    const before = sample(await scrape(), 'chatserver_messages_in_total');
    const stats = await server.admin('GET', '/api/v1/stats');
    process.kill(stats.body.data.workers[0].pid, 'SIGKILL');
    await expect.poll(async () => (await server.stats()).workers[0], { timeout: 10_000, interval: 50 }).toMatchObject({ state: 'ready', restarts: 1 });
    const after = await scrape();
    expect(sample(after, 'chatserver_messages_in_total')).toBe(before);
    expect(sample(after, 'chatserver_worker_restarts_total')).toBe(1);
  });
});
