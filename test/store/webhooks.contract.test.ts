import { describe, expect, it } from 'vitest';
import { idTimePrefix } from '../../src/contracts/timeOrderedIds.js';
import { EVENT_ID_PREFIX, type OutboxEntry, type OutboxEvent, type WebhookEndpointRecord } from '../../src/contracts/webhookRecords.js';
import type { Store } from '../../src/store/Store.js';
import { freshStoreEachTest, storeTargets } from '../helpers/storeTargets.js';

const endpoint = (id: string, createdAt: number, patch: Partial<WebhookEndpointRecord> = {}): WebhookEndpointRecord => ({
  id,
  url: `https://hooks.example.com/${id}`,
  events: null,
  rooms: null,
  secrets: { current: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', previous: null, previousExpiresAt: null },
  enabled: true,
  disabledReason: null,
  createdAt,
  updatedAt: createdAt,
  ...patch,
});

const event = (id: string, timestamp: number, room: string | null = 'r'): OutboxEvent => ({ id, type: 'room.created', room, timestamp, data: { room: room ?? '', port: 34000 } });
/** An event id as the outbox makes them, at `ms`. */
const idAt = (ms: number): string => `${EVENT_ID_PREFIX}${idTimePrefix(ms)}0000abcdef`;
const entry = (id: string, timestamp: number, endpoints: string[], room: string | null = 'r'): OutboxEntry => ({ event: event(id, timestamp, room), endpoints });

describe.each(storeTargets())('Store contract, webhooks: $name', (target) => {
  let store: Store;
  freshStoreEachTest(target, () => store, (made) => (store = made));

  it('saves, replaces, lists oldest first and deletes endpoints', async () => {
    const w = store.webhooks;
    expect(await w.listEndpoints()).toEqual([]);
    const rotated = endpoint('ep_a', 1, {
      events: ['message.created', 'room.created'],
      rooms: ['x'],
      secrets: { current: 'whsec_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', previous: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', previousExpiresAt: 99 },
      enabled: false,
      disabledReason: 'answered 410',
    });
    await w.saveEndpoint(endpoint('ep_b', 2));
    await w.saveEndpoint(endpoint('ep_a', 1));
    await w.saveEndpoint(rotated);
    expect(await w.getEndpoint('ep_a')).toEqual(rotated);
    expect(await w.getEndpoint('ep_zz')).toBeNull();
    expect((await w.listEndpoints()).map((e) => e.id)).toEqual(['ep_a', 'ep_b']);
    expect(await w.deleteEndpoint('ep_a')).toBe(true);
    expect(await w.deleteEndpoint('ep_a')).toBe(false);
  });

  it('stores events with one pending delivery per endpoint, due in event order, idempotently', async () => {
    const w = store.webhooks;
    await w.appendEvents([entry('msg_2', 20, ['ep_a', 'ep_b']), entry('msg_1', 10, ['ep_a'], null)]);
    await w.appendEvents([entry('msg_1', 10, ['ep_a'], null)]);
    const due = await w.listDue('ep_a', undefined, 10);
    expect(due.map((d) => [d.event.id, d.delivery.endpoint])).toEqual([['msg_1', 'ep_a'], ['msg_2', 'ep_a']]);
    expect((await w.listDue('ep_b', undefined, 10)).map((d) => [d.event.id, d.delivery.endpoint])).toEqual([['msg_2', 'ep_b']]);
    expect(due[0]).toEqual({
      event: event('msg_1', 10, null),
      delivery: { endpoint: 'ep_a', event: 'msg_1', type: 'room.created', room: null, status: 'pending', attempts: 0, nextAttemptAt: 10, lastStatus: null, lastError: null, createdAt: 10, updatedAt: 10 },
    });
    expect((await w.listDue('ep_a', 'msg_1', 10)).map((d) => d.event.id)).toEqual(['msg_2']);
    expect((await w.listDue('ep_a', undefined, 1)).map((d) => d.event.id)).toEqual(['msg_1']);
  });

  it('writes chat messages and their outbox together', async () => {
    await store.appendMessages([{ room: 'r', id: 'm1', user: 'u', name: 'U', text: 'hi', ts: 5 }], [entry('msg_9', 5, ['ep_a'])]);
    expect(await store.listMessages('r', { limit: 10 })).toHaveLength(1);
    expect((await store.webhooks.listDue('ep_a', undefined, 10)).map((d) => d.event.id)).toEqual(['msg_9']);
  });

  it('updates deliveries, pages them newest first and requeues them by event or time span', async () => {
    const w = store.webhooks;
    // Real ids: made at their events' times (they sort by time; a replay by time relies on it).
    const [e1, e2, e3] = [idAt(10), idAt(20), idAt(30)];
    await w.appendEvents([entry(e1, 10, ['ep_a']), entry(e2, 20, ['ep_a']), entry(e3, 30, ['ep_a'])]);
    // Several outcomes in one write (the dispatcher's group commit).
    await w.updateDeliveries([
      { endpoint: 'ep_a', event: e1, update: { status: 'delivered', attempts: 1, nextAttemptAt: null, lastStatus: 204, lastError: null, updatedAt: 11 } },
      { endpoint: 'ep_a', event: e2, update: { status: 'failed', attempts: 2, nextAttemptAt: 50, lastStatus: 500, lastError: 'HTTP 500', updatedAt: 21 } },
    ]);
    await w.updateDeliveries([{ endpoint: 'ep_a', event: e3, update: { status: 'dead', attempts: 9, nextAttemptAt: null, lastStatus: null, lastError: 'timeout', updatedAt: 31 } }]);
    expect((await w.listDue('ep_a', undefined, 10)).map((d) => d.event.id)).toEqual([e2]);
    // Failed counts as due (a retry waits), delivered and dead do not.
    expect(await w.countDue('ep_a')).toBe(1);
    expect(await w.countDue('ep_zz')).toBe(0);
    const page = await w.listDeliveries('ep_a', { limit: 2 });
    expect(page.map((d) => [d.event, d.status, d.attempts])).toEqual([[e3, 'dead', 9], [e2, 'failed', 2]]);
    expect((await w.listDeliveries('ep_a', { before: e2, limit: 2 })).map((d) => d.lastStatus)).toEqual([204]);
    // A replay marks deliveries due again; the dispatcher reads them back with listDue.
    expect(await w.requeue('ep_a', { event: e3 }, 100)).toBe(1);
    const due = (await w.listDue('ep_a', undefined, 10)).map((d) => [d.event.id, d.delivery.status, d.delivery.attempts, d.delivery.nextAttemptAt]);
    expect(due).toContainEqual([e3, 'pending', 9, 100]);
    expect(await w.requeue('ep_a', { since: 5, until: 20 }, 200)).toBe(2);
    expect((await w.listDue('ep_a', undefined, 10)).map((d) => [d.event.id, d.delivery.status])).toEqual([[e1, 'pending'], [e2, 'pending'], [e3, 'pending']]);
    expect(await w.requeue('ep_b', { since: 0, until: 1e15 }, 1)).toBe(0);
  });

  it('requeues by time span the events raised late (their ids made after their time), not those outside the span', async () => {
    const w = store.webhooks;
    // A leave debounced for 10 s: its id is made at 10,015, its time is 15.
    const [late, inside, after] = [idAt(10_015), idAt(12), idAt(25)];
    await w.appendEvents([entry(inside, 12, ['ep_a']), entry(late, 15, ['ep_a']), entry(after, 25, ['ep_a'])]);
    const settle = (event: string) => ({ endpoint: 'ep_a', event, update: { status: 'delivered' as const, attempts: 1, nextAttemptAt: null, lastStatus: 200, lastError: null, updatedAt: 30 } });
    await w.updateDeliveries([settle(inside), settle(late), settle(after)]);
    expect(await w.requeue('ep_a', { since: 10, until: 20 }, 40)).toBe(2);
    expect((await w.listDue('ep_a', undefined, 10)).map((d) => d.event.id)).toEqual([inside, late]);
  });

  it('prunes settled deliveries and then their events, never what is still due', async () => {
    const w = store.webhooks;
    await w.appendEvents([entry('msg_1', 10, ['ep_a', 'ep_b']), entry('msg_2', 20, ['ep_a'])]);
    await w.updateDeliveries([{ endpoint: 'ep_a', event: 'msg_1', update: { status: 'delivered', attempts: 1, nextAttemptAt: null, lastStatus: 200, lastError: null, updatedAt: 11 } }]);
    await w.updateDeliveries([{ endpoint: 'ep_a', event: 'msg_2', update: { status: 'dead', attempts: 1, nextAttemptAt: null, lastStatus: 410, lastError: 'gone', updatedAt: 12 } }]);
    expect(await w.prune(100, 10)).toBe(2);
    expect((await w.listDue('ep_a', undefined, 10))).toEqual([]);
    expect((await w.listDue('ep_b', undefined, 10)).map((d) => [d.event.id, d.delivery.endpoint])).toEqual([['msg_1', 'ep_b']]);
    expect(await w.listDeliveries('ep_a', { limit: 10 })).toEqual([]);
    expect(await w.prune(100, 10)).toBe(0);
  });

  it('deleting an endpoint takes its deliveries, and keeps everything across a reopen', async () => {
    await store.webhooks.saveEndpoint(endpoint('ep_a', 1));
    await store.webhooks.appendEvents([entry('msg_1', 10, ['ep_a', 'ep_b'])]);
    await store.webhooks.deleteEndpoint('ep_a');
    await store.close();
    store = await target.make(true);
    expect(await store.webhooks.listDue('ep_a', undefined, 10)).toEqual([]);
    expect((await store.webhooks.listDue('ep_b', undefined, 10)).map((d) => d.delivery.endpoint)).toEqual(['ep_b']);
  });
});
