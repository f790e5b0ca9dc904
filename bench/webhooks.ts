/**
 * Webhooks under load: chat messages in many rooms at a steady rate, each a `message.created`
 * event to one endpoint that takes `--delay` ms per answer. Reports events raised (messages
 * acknowledged), events delivered (distinct webhook-ids answered 2xx), lost (raised, never
 * delivered after the drain), the time to drain, and the primary's p99 from event to first
 * attempt. Per-room order means one request per room at a time: sustaining R events/s at D ms
 * per answer needs R * D / 1000 rooms with traffic and WEBHOOK_CONCURRENCY at least as high.
 *
 *   npm run bench:webhooks -- [--rate 1000] [--seconds 10] [--delay 200] [--rooms 250] [--quick]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { writeResults } from './lib/report.js';
import { joinChat, startChatserver } from './lib/targets.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    delay: { type: 'string', default: '200' },
    rooms: { type: 'string', default: '250' },
    quick: { type: 'boolean', default: false },
  },
});
const RATE = values.quick ? 200 : Number(values.rate);
const SECONDS = values.quick ? 3 : Number(values.seconds);
const DELAY_MS = Number(values.delay);
const ROOMS = values.quick ? 50 : Number(values.rooms);

const delivered = new Set<string>();
let requests = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    requests += 1;
    setTimeout(() => {
      delivered.add(String(req.headers['webhook-id']));
      res.writeHead(204).end();
    }, DELAY_MS);
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

const server = await startChatserver(1, [], { WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_CONCURRENCY: String(ROOMS) });
const admin = (method: string, path: string, body?: unknown) =>
  fetch(`http://127.0.0.1:${server.adminPort}${path}`, { method, headers: { 'x-api-key': 'BENCH_ADMIN', 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) }).then((r) => r.json() as Promise<{ data: Record<string, unknown> }>);
try {
  await admin('POST', '/api/v1/webhooks', { url: hookUrl, events: ['message.created'] });
  const clients = [];
  for (let i = 0; i < ROOMS; i++) {
    const created = (await (await fetch(`http://127.0.0.1:${server.publicPort}/api/v1/room/wh${i}`, { method: 'POST', headers: { 'x-api-key': 'BENCH' } })).json()) as { data: { port: number } };
    clients.push(await joinChat(created.data.port, `sender${i}`));
  }
  console.error(`${clients.length} rooms joined`);
  let acked = 0;
  for (const client of clients) client.onText = (text) => text.includes('"ref"') && (acked += 1);
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < SECONDS * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * RATE);
    for (; sent < due; sent++) clients[sent % ROOMS]!.send(JSON.stringify({ type: 'message', text: `m${sent}`, ref: sent }));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const sendMs = performance.now() - started;
  console.error(`sent ${sent}, acked ${acked}, delivered ${delivered.size} after sending`);
  const drainDeadline = performance.now() + 120_000;
  while ((delivered.size < acked || acked < sent) && performance.now() < drainDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const drainMs = performance.now() - started - sendMs;
  const stats = (await admin('GET', '/api/v1/stats')).data.webhooks as { firstAttemptP99Ms: number | null; failed: number };
  const figures = {
    rate: RATE, seconds: SECONDS, delayMs: DELAY_MS, rooms: ROOMS,
    sent, acked, delivered: delivered.size, lost: Math.max(0, acked - delivered.size), requests,
    deliveredPerSecond: Math.round(delivered.size / ((sendMs + drainMs) / 1000)),
    drainAfterSendMs: Math.round(drainMs), firstAttemptP99Ms: stats.firstAttemptP99Ms, failedAttempts: stats.failed,
  };
  console.log(JSON.stringify(figures, null, 2));
  if (!values.quick) writeResults('webhooks', figures);
  for (const client of clients) client.close();
} finally {
  await server.stop();
  receiver.close();
}
