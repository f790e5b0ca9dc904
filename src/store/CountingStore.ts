import type { RecordingStore } from './RecordingStore.js';
import type { Store } from './Store.js';
import type { WebhookStore } from './WebhookStore.js';

/** Store methods that only read. Every other data method is a write. */
const READS = new Set<keyof Store>([
  'listRooms',
  'getRoom',
  'listMessages',
  'listMessagesWithRef',
  'listMessagesAfter',
  'listMessagesBetween',
  'listMessageRooms',
  'listBans',
  'listRevocations',
  'getSettings',
]);
const RECORDING_READS = new Set<keyof RecordingStore>(['getRecording', 'listRecordings', 'listAllRecordings', 'listOpenRecordings']);
const WEBHOOK_READS = new Set<keyof WebhookStore>(['getEndpoint', 'listEndpoints', 'listDue', 'countDue', 'listDeliveries']);
/** Not counted: a backup takes seconds or minutes and would swamp the latency figures. */
const LIFECYCLE = new Set<keyof Store>(['kind', 'open', 'close', 'ping', 'backup']);

export interface StoreCounters {
  reads: number;
  writes: number;
  errors: number;
  /** Total milliseconds spent in store calls. */
  busyMs: number;
}

/**
 * Wraps a Store and counts its calls, so operators (and the cache test) can see how many
 * reads actually reach the database.
 */
export function countingStore(
  inner: Store,
  observe: (kind: 'read' | 'write', ms: number) => void = () => undefined,
): { store: Store; counters: Readonly<StoreCounters> } {
  const counters: StoreCounters = { reads: 0, writes: 0, errors: 0, busyMs: 0 };
  const counting = <T extends object>(target: T, isRead: (property: string | symbol) => boolean, skip: (property: string | symbol) => boolean): T =>
    new Proxy(target, {
      get(target, property) {
        // The target itself as the receiver: its getters read its private fields.
        const value: unknown = Reflect.get(target, property, target);
        if (property === 'recordings' && target === inner) return counting(value as RecordingStore, (name) => RECORDING_READS.has(name as keyof RecordingStore), () => false);
        // insert() is the embedded store's in-transaction helper, not a store call of its own.
        if (property === 'webhooks' && target === inner) return counting(value as WebhookStore, (name) => WEBHOOK_READS.has(name as keyof WebhookStore), (name) => name === 'insert');
        if (typeof value !== 'function' || skip(property)) {
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return timed(value as (...args: unknown[]) => Promise<unknown>, target, isRead(property) ? 'read' : 'write');
      },
    });
  const timed =
    (method: (...args: unknown[]) => Promise<unknown>, target: object, kind: 'read' | 'write') =>
      async (...args: unknown[]) => {
        if (kind === 'read') counters.reads += 1;
        else counters.writes += 1;
        const started = performance.now();
        try {
          return await method.apply(target, args);
        } catch (error) {
          counters.errors += 1;
          throw error;
        } finally {
          const ms = performance.now() - started;
          counters.busyMs += ms;
          observe(kind, ms);
        }
      };
  const store = counting(
    inner,
    (property) => READS.has(property as keyof Store),
    (property) => LIFECYCLE.has(property as keyof Store),
  );
  return { store, counters };
}
