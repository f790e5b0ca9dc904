import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryAdmin } from '../../src/primary/HistoryAdmin.js';
import type { JournaledStore } from '../../src/store/journal/JournaledStore.js';
import { ids, journaledFixture, message, silent } from '../helpers/journaledFixture.js';

/**
 * History maintenance (an operator's export and delete, retention) on MongoDB with a local
 * journal: what the journal holds is part of the history, so it must be in MongoDB first.
 */
describe('JournaledStore history maintenance with a non-empty journal', () => {
  let fx: Awaited<ReturnType<typeof journaledFixture>>;
  let store: JournaledStore;

  beforeEach(async () => {
    fx = await journaledFixture();
    store = await fx.make({ probeMs: 10_000 });
    // Two messages acknowledged from the journal during an outage; MongoDB answers again.
    const past = { ts: Date.now() - 1_000 };
    await store.appendMessages([message('r', 0, past)]);
    fx.sw.state.down = true;
    await store.appendMessages([message('r', 1, past), message('r', 2, past)]);
    fx.sw.state.down = false;
    expect(store.journal.depth).toBe(2);
  });
  afterEach(() => fx.cleanup());

  it('an operator delete during a slow replay deletes the journaled messages too, and the replay does not bring them back', async () => {
    const release = fx.sw.hold('appendMessages', 'request');
    const replay = store.replay();
    const admin = new HistoryAdmin({ store, messages: { flush: async () => {}, forgetRoom() {} }, roomExists: () => true, forgetRecent() {}, logger: silent });
    const deleting = admin.delete('r');
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    expect(await deleting).toBe(3);
    await replay;
    expect(store.journal.depth).toBe(0);
    expect(ids(await fx.remote.listMessages('r', { limit: 10 }))).toEqual([]);
  });

  it('exports and walks the journaled messages with the stored ones', async () => {
    expect(ids(await store.listMessagesAfter('r', undefined, 10))).toEqual(['m000000', 'm000001', 'm000002']);
    fx.sw.state.down = true;
    await store.appendMessages([message('s', 3)]);
    fx.sw.state.down = false;
    expect(await store.listMessageRooms(undefined, 10)).toEqual(['r', 's']);
  });

  it('refuses (an error the callers answer 503) while the journal cannot be replayed, and a room delete still goes through the journal', async () => {
    fx.sw.state.down = true;
    await expect(store.pruneMessages('r', { olderThan: Date.now() + 1 }, 500)).rejects.toThrow(/journal/);
    await expect(store.listMessagesAfter('r', undefined, 10)).rejects.toThrow(/journal/);
    await expect(store.listMessageRooms(undefined, 10)).rejects.toThrow(/journal/);
    // Primary's forgetHistory falls back to deleteMessages, which the journal takes.
    expect(await store.deleteMessages('r')).toBe(2);
    fx.sw.state.down = false;
    await store.replay();
    expect(store.journal.depth).toBe(0);
    expect(ids(await fx.remote.listMessages('r', { limit: 10 }))).toEqual([]);
  });
});
