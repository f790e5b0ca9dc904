import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookLimits } from '../../../src/config/Config.js';
import type { RaisedEvent } from '../../../src/contracts/webhookEvents.js';
import type { JournaledStore } from '../../../src/store/journal/JournaledStore.js';
import { Webhooks } from '../../../src/primary/webhooks/Webhooks.js';
import { journaledFixture, message, silent } from '../../helpers/journaledFixture.js';
import { WebhookReceiver } from '../../helpers/WebhookReceiver.js';

const LIMITS: WebhookLimits = { allowPrivate: true, timeoutMs: 10_000, concurrency: 8, memoryQueue: 5_000, retryBaseMs: 10, retryMaxMs: 40, retryForMs: 600_000, presenceDebounceMs: 0, keepMs: 86_400_000 };

const joined = (room: string, user: string): RaisedEvent => ({ type: 'user.joined', room, at: Date.now(), data: { room, user, name: user, role: 'viewer' } });

/**
 * A MongoDB outage (the journaled fixture: a real store behind a switch) while rooms are written,
 * messages committed and events raised: the outbox entries go to the journal with the writes and
 * are delivered once the journal is replayed, none lost.
 */
describe('webhook events during a MongoDB outage (journaled store, real receiving server)', () => {
  let fixture: Awaited<ReturnType<typeof journaledFixture>>;
  let receiver: WebhookReceiver;
  const made: Webhooks[] = [];
  const webhooks = async (store: JournaledStore): Promise<Webhooks> => {
    const w = new Webhooks({ store: store.webhooks, logger: silent, limits: LIMITS, ownPorts: [] });
    made.push(w);
    await w.start();
    return w;
  };
  /** Every kind of write that carries an outbox, made while the store is down. */
  const writeDuringOutage = async (store: JournaledStore, w: Webhooks) => {
    const created = w.entries([{ type: 'room.created', room: 'r1', at: Date.now(), data: { room: 'r1', port: 34_000 } }]);
    await store.saveRoom({ name: 'r1', port: 34_000, settings: {}, createdAt: Date.now() }, created);
    w.committed(created);
    for (let i = 0; i < 5; i++) await w.raise([joined('r1', `u${i}`), joined('r2', `u${i}`)]);
    const records = [message('r1', 1), message('r1', 2)];
    const messages = w.messageEntries(records);
    await store.appendMessages(records, messages);
    w.committed(messages);
  };
  const typesOf = (room: string) => {
    const seen = new Set<string>();
    return receiver.received.filter((r) => r.json.data.room === room && !seen.has(r.id) && seen.add(r.id)).map((r) => `${r.json.type as string} ${(r.json.type === 'message.created' ? r.json.data.id : (r.json.data.user ?? '')) as string}`);
  };
  const expected = {
    r1: ['room.created ', ...Array.from({ length: 5 }, (_, i) => `user.joined u${i}`), 'message.created m000001', 'message.created m000002'],
    r2: Array.from({ length: 5 }, (_, i) => `user.joined u${i}`),
  };

  beforeEach(async () => {
    fixture = await journaledFixture();
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    for (const w of made.splice(0)) w.close();
    await receiver.close();
    await fixture.cleanup();
  });

  it('journals the outbox with the writes, holds it back while MongoDB is away, then delivers every event in order per room', async () => {
    const store = await fixture.make();
    const w = await webhooks(store);
    await w.create({ url: receiver.url, events: ['room.created', 'user.joined', 'message.created'] });
    fixture.sw.state.down = true;
    await writeDuringOutage(store, w);
    expect(store.health.up).toBe(false);
    // Nothing lost, nothing handed to the dispatcher yet: the events wait in the journal.
    expect(w.stats()).toMatchObject({ lost: 0 });
    expect(w.stats().backlog.reduce((n, b) => n + b.depth, 0)).toBe(0);
    expect(store.journal.depth).toBeGreaterThanOrEqual(1 + 5 + 2);

    const back = fixture.back(store);
    fixture.sw.state.down = false;
    await back;
    await store.replay();
    expect(store.journal.depth).toBe(0);
    await expect.poll(() => typesOf('r1').length + typesOf('r2').length).toBe(expected.r1.length + expected.r2.length);
    expect(typesOf('r1')).toEqual(expected.r1);
    expect(typesOf('r2')).toEqual(expected.r2);
    await expect.poll(() => w.stats().delivered).toBe(expected.r1.length + expected.r2.length);
  });

  it('delivers what the journal held after a restart of the primary', async () => {
    const first = await fixture.make();
    const w = await webhooks(first);
    await w.create({ url: receiver.url, events: ['room.created', 'user.joined', 'message.created'] });
    fixture.sw.state.down = true;
    await writeDuringOutage(first, w);
    w.close();
    await first.close();

    fixture.sw.state.down = false;
    const second = await fixture.make();
    await webhooks(second);
    await expect.poll(() => typesOf('r1').length + typesOf('r2').length).toBe(expected.r1.length + expected.r2.length);
    expect(typesOf('r1')).toEqual(expected.r1);
    expect(typesOf('r2')).toEqual(expected.r2);
  });
});
