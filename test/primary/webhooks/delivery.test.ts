import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookLimits } from '../../../src/config/Config.js';
import type { RaisedEvent } from '../../../src/contracts/webhookEvents.js';
import { SqliteStore } from '../../../src/store/sqlite/SqliteStore.js';
import { Webhooks } from '../../../src/primary/webhooks/Webhooks.js';
import { verifyWithStandardWebhooks, WebhookReceiver } from '../../helpers/WebhookReceiver.js';

const LIMITS: WebhookLimits = { allowPrivate: true, timeoutMs: 10_000, concurrency: 4, memoryQueue: 5_000, retryBaseMs: 20, retryMaxMs: 160, retryForMs: 60_000, presenceDebounceMs: 0, keepMs: 86_400_000 };

const joined = (room: string, user: string, at = Date.now()): RaisedEvent => ({ type: 'user.joined', room, at, data: { room, user, name: user, role: 'viewer' } });

describe('webhook delivery (real store, real receiving server)', () => {
  let dir: string;
  let store: SqliteStore;
  let receiver: WebhookReceiver;
  const made: Webhooks[] = [];
  /** A fresh Webhooks over the store; `now` and `random` let a test drive the schedule. */
  const webhooks = async (limits: Partial<WebhookLimits> = {}, clock: { now?: () => number } = {}): Promise<Webhooks> => {
    const w = new Webhooks({ store: store.webhooks, logger: pino({ level: 'silent' }), limits: { ...LIMITS, ...limits }, ownPorts: [], ...clock });
    made.push(w);
    await w.start();
    return w;
  };

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'webhooks-'));
    store = new SqliteStore(dir);
    await store.open();
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    for (const w of made.splice(0)) w.close();
    await receiver.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs every request so that the standardwebhooks package verifies it, with both secrets during a rotation', async () => {
    const w = await webhooks();
    const { endpoint, secret } = await w.create({ url: receiver.url });
    expect(JSON.stringify(w.list())).not.toContain(secret);
    await w.raise([joined('a', 'u1')]);
    const [first] = await receiver.waitFor((r) => r.length === 1);
    expect(verifyWithStandardWebhooks(secret, first!)).toMatchObject({ type: 'user.joined', data: { room: 'a', user: 'u1' } });
    expect(first!.id).toMatch(/^msg_/);
    expect(first!.json.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);

    const rotated = await w.rotateSecret(endpoint.id);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.endpoint.previousSecretExpiresAt).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    await w.raise([joined('a', 'u2')]);
    const [, second] = await receiver.waitFor((r) => r.length === 2);
    expect(String(second!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyWithStandardWebhooks(secret, second!)).toBeTruthy();
    expect(verifyWithStandardWebhooks(rotated.secret, second!)).toBeTruthy();
    expect(() => verifyWithStandardWebhooks('whsec_' + Buffer.alloc(24, 7).toString('base64'), second!)).toThrow();
  });

  it('retries failures with exponential backoff and full jitter, then delivers; gives up (dead) once the retry time is over', async () => {
    let offset = 0;
    const w = await webhooks({ retryForMs: 5_000 }, { now: () => Date.now() + offset });
    const { endpoint } = await w.create({ url: receiver.url });
    receiver.answer = (_r, index) => ({ status: index < 4 ? 500 : 200 });
    await w.raise([joined('a', 'u1')]);
    const attempts = await receiver.waitFor((r) => r.length === 5);
    const gaps = attempts.slice(1).map((r, i) => r.at - attempts[i]!.at);
    // Full jitter: attempt n waits a draw in [0, min(160, 20 * 2^(n-1))] ms.
    gaps.forEach((gap, i) => expect(gap).toBeLessThan(Math.min(160, 20 * 2 ** i) + 60));
    await expect.poll(async () => (await w.deliveries(endpoint.id, { limit: 5 })).deliveries[0]).toMatchObject({ status: 'delivered', attempts: 5, lastStatus: 200, lastError: null });

    // The clock jumps past the retry time: the next failure is the last.
    receiver.answer = () => ({ status: 503 });
    await w.raise([joined('b', 'u2')]);
    await receiver.waitFor((r) => r.length === 6);
    offset = 6_000;
    await expect.poll(async () => (await w.deliveries(endpoint.id, { limit: 5 })).deliveries[0]).toMatchObject({ status: 'dead', lastStatus: 503, lastError: 'HTTP 503' });
    expect(w.stats()).toMatchObject({ delivered: 1, dead: 1 });
  });

  it('keeps the order of each room while rooms go in parallel, up to the concurrency bound', async () => {
    const w = await webhooks({ concurrency: 4 });
    await w.create({ url: receiver.url });
    let inFlight = 0;
    let most = 0;
    receiver.on('request', () => (most = Math.max(most, ++inFlight)));
    receiver.answer = (_r, index) => {
      setTimeout(() => inFlight--, 0);
      // Some answers fail once: the room's next event must wait for the retry.
      return index % 7 === 3 ? { status: 500, delayMs: 5 } : { status: 204, delayMs: 5 + (index % 3) * 5 };
    };
    const events: RaisedEvent[] = [];
    for (let i = 0; i < 30; i++) for (const room of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']) events.push(joined(room, `u${i}`));
    await w.raise(events);
    await expect.poll(() => w.stats().delivered, { timeout: 15_000 }).toBe(180);
    const delivered = new Map<string, string[]>();
    // The last 2xx of each event is its delivery; the users of a room must come in raise order.
    for (const r of receiver.received) delivered.set(r.json.data.room as string, [...(delivered.get(r.json.data.room as string) ?? []).filter((u) => u !== r.json.data.user), r.json.data.user as string]);
    for (const users of delivered.values()) expect(users).toEqual(Array.from({ length: 30 }, (_, i) => `u${i}`));
    expect(most).toBeLessThanOrEqual(4);
    expect(most).toBeGreaterThan(1);
  });

  it('disables an endpoint that answers 410 and sends it nothing more until it is enabled again', async () => {
    const w = await webhooks();
    const { endpoint } = await w.create({ url: receiver.url });
    receiver.answer = () => ({ status: 410 });
    await w.raise([joined('a', 'u1')]);
    await expect.poll(() => w.get(endpoint.id)).toMatchObject({ enabled: false, disabledReason: 'the endpoint answered 410 Gone' });
    expect(w.wantedTypes()).toEqual([]);
    receiver.answer = () => ({ status: 204 });
    await w.update(endpoint.id, { enabled: true });
    await receiver.waitFor((r) => r.length === 2);
    expect(receiver.received[1]!.id).toBe(receiver.received[0]!.id);
  });

  it('times out an endpoint that hangs, does not follow redirects, and reads no more than a bounded part of a 10 MB answer', async () => {
    const w = await webhooks({ timeoutMs: 300, retryBaseMs: 60_000, retryMaxMs: 60_000 });
    const { endpoint } = await w.create({ url: receiver.url });
    const big = Buffer.alloc(10 * 1024 * 1024, 120);
    receiver.answer = (r) => {
      const user = r.json.data.user as string;
      if (user === 'hang') return { hang: true };
      if (user === 'redirect') return { status: 307, headers: { location: `${receiver.url}/elsewhere` } };
      return { status: 200, body: big };
    };
    const started = performance.now();
    await w.raise([joined('a', 'hang'), joined('b', 'redirect'), joined('c', 'big')]);
    await expect.poll(async () => (await w.deliveries(endpoint.id, { limit: 10 })).deliveries.map((d) => [d.room, d.status, d.lastStatus, d.lastError]).sort()).toEqual([
      ['a', 'failed', null, 'no answer within 300 ms'],
      ['b', 'failed', 307, 'HTTP 307 (redirects are not followed)'],
      ['c', 'delivered', 200, null],
    ]);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(receiver.received.filter((r) => r.path.endsWith('/elsewhere'))).toEqual([]);
  });

  it('sends again after a restart what a previous run had in flight or pending (at least once), in order per room', async () => {
    receiver.answer = () => ({ hang: true });
    const first = await webhooks();
    await first.create({ url: receiver.url });
    await first.raise([joined('a', 'u1'), joined('a', 'u2'), joined('b', 'u3')]);
    await receiver.waitFor((r) => r.length === 2);
    // The run ends with u1 and u3 in flight and u2 waiting behind u1: nothing of it settled.
    first.close();
    receiver.answer = () => ({ status: 204 });
    const second = await webhooks();
    const received = await receiver.waitFor((r) => r.length === 5);
    expect(received.slice(2).map((r) => r.json.data.user).sort()).toEqual(['u1', 'u2', 'u3']);
    const roomA = received.slice(2).filter((r) => r.json.data.room === 'a').map((r) => r.json.data.user);
    expect(roomA).toEqual(['u1', 'u2']);
    expect(received[2]!.id === received[0]!.id || received[2]!.id === received[1]!.id).toBe(true);
    await expect.poll(() => second.stats().delivered).toBe(3);
  });

  it('replays one delivery or a time span, also one waiting for a retry', async () => {
    const w = await webhooks({ retryBaseMs: 3_600_000, retryMaxMs: 3_600_000 });
    const { endpoint } = await w.create({ url: receiver.url });
    receiver.answer = (_r, index) => ({ status: index === 0 ? 500 : 204 });
    const before = Date.now();
    await w.raise([joined('a', 'u1')]);
    await receiver.waitFor((r) => r.length === 1);
    await expect.poll(async () => (await w.deliveries(endpoint.id, { limit: 1 })).deliveries[0]?.status).toBe('failed');
    const [failed] = (await w.deliveries(endpoint.id, { limit: 1 })).deliveries;
    expect(await w.replay(endpoint.id, { event: failed!.event })).toEqual({ queued: 1 });
    await receiver.waitFor((r) => r.length === 2);
    await expect.poll(async () => (await w.deliveries(endpoint.id, { limit: 1 })).deliveries[0]?.status).toBe('delivered');
    expect(await w.replay(endpoint.id, { since: before, until: Date.now() })).toEqual({ queued: 1 });
    const all = await receiver.waitFor((r) => r.length === 3);
    expect(new Set(all.map((r) => r.id)).size).toBe(1);
    expect(await w.replay(endpoint.id, { since: 0, until: before - 1 })).toEqual({ queued: 0 });
  });
});
