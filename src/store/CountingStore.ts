import type { Store } from './Store.js';

/** Store methods that only read. Every other data method is a write. */
const READS = new Set<keyof Store>([
  'listRooms',
  'getRoom',
  'listMessages',
  'listMessagesWithRef',
  'listMessagesAfter',
  'listMessageRooms',
  'listBans',
  'listRevocations',
  'getSettings',
]);
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
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || LIFECYCLE.has(property as keyof Store)) {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      const method = value as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        const kind = READS.has(property as keyof Store) ? 'read' : 'write';
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
    },
  });
  return { store, counters };
}
