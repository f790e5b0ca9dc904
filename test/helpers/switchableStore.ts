import type { Store } from '../../src/store/Store.js';

/** Where a held call waits: before it reaches the store (a slow request) or after the store answered it (a slow answer). */
export type HoldAt = 'request' | 'answer';

/** The error every call fails with while the switch is down, as an unreachable database answers. */
export const UNREACHABLE = 'connect ECONNREFUSED (store unreachable)';

/**
 * A real store standing in for MongoDB behind a switch: while `down`, every call fails as an
 * unreachable database does; `failAfter` lets that many writes through first (an outage in the
 * middle of a replay); `refuse` makes the store answer a call with an error although it is up
 * (a document it will never take); `hold` slows one method down until the test releases it.
 * Injected through the Store interface, as JournaledStore sees MongoDB; `store.webhooks` is
 * behind the same switch.
 */
export function switchable(inner: Store) {
  const state = {
    down: false,
    failAfter: Number.POSITIVE_INFINITY,
    writes: 0,
    refuse: undefined as ((method: string, args: readonly unknown[]) => Error | undefined) | undefined,
  };
  const holds = new Map<PropertyKey, { at: HoldAt; gate: Promise<void> }>();
  /** The store's methods behind the switch; its webhook part (`store.webhooks`) too, so its writes fail in an outage as the rest do. */
  const behindSwitch = <T extends object>(inner: T): T =>
    new Proxy(inner, {
      get(target, property) {
        // Read on the target itself: getters that use private fields (SqliteStore.webhooks) need it as `this`.
        const value: unknown = Reflect.get(target, property, target);
        if (property === 'webhooks' && typeof value === 'object' && value !== null) return behindSwitch(value);
        if (typeof value !== 'function') return value;
        const method = (value as (...args: unknown[]) => Promise<unknown>).bind(target);
        if (property === 'close') return method;
        return async (...args: unknown[]) => {
          const hold = holds.get(property);
          if (hold?.at === 'request') await hold.gate;
          if (property === 'appendMessages' || property === 'saveRoom' || property === 'deleteRoom') state.writes += 1;
          if (state.down || state.writes > state.failAfter) throw new Error(UNREACHABLE);
          const refused = state.refuse?.(String(property), args);
          if (refused) throw refused;
          const result = await method(...args);
          if (hold?.at === 'answer') await hold.gate;
          return result;
        };
      },
    });
  const store = behindSwitch(inner);
  /** Holds the calls of `method` made from now on at `at`; call the returned function to let them go. */
  const hold = (method: keyof Store, at: HoldAt): (() => void) => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    holds.set(method, { at, gate });
    return () => {
      holds.delete(method);
      release();
    };
  };
  return { store, state, hold };
}
