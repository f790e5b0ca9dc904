import { afterEach, describe, expect, it } from 'vitest';
import { readWholeHistory, repeated } from '../helpers/chatHistory.js';
import type { ChatTestClient} from '../helpers/ChatTestClient.js';
import { tokenClientsClosedBy } from '../helpers/ChatTestClient.js';
import { SendLedger, pumpMessages } from '../helpers/SendLedger.js';
import { isAlive, serversPerTest, type ServerProcess } from '../helpers/ServerProcess.js';

const ROOM = 'kill-nine';
/** No flood control in the way of a steady 400 messages a second (and of the resends and history pages). */
const ENV = { CHAT_RATE: '5000', CHAT_BURST: '5000' };
/** 2 messages every 5 ms: about 400 a second. */
const PER_TICK = 2;
const TICK_MS = 5;
const ACKS_BEFORE_KILL = 300;
const KILLS = 2;

describe('kill -9 of the primary during commits (real processes)', () => {
  const start = serversPerTest(afterEach);
  const joinWithToken = tokenClientsClosedBy(afterEach);

  async function workerPids(server: ServerProcess): Promise<number[]> {
    const stats = await server.admin('GET', '/api/v1/stats');
    return stats.body.data.workers.map((w: { pid: number }) => w.pid) as number[];
  }

  /**
   * What a client does after a restart: sends again, with the same ref, every message it got no
   * acknowledgement for (their fate is unknown: the primary may have committed them just before
   * it died), and, to see the resend answered from the store, one it did get an acknowledgement
   * for. Resolves once each has its answer.
   */
  async function resendAfterRestart(ledger: SendLedger, client: ChatTestClient): Promise<{ acknowledgedRef: number; unacknowledged: number[] }> {
    const acknowledgedRef = Math.max(...ledger.acks.keys());
    const unacknowledged = ledger.unacknowledged();
    const answersBefore = ledger.answerCount;
    const acksBefore = ledger.ackCount;
    for (const ref of [acknowledgedRef, ...unacknowledged]) ledger.send(client, ref);
    await ledger.answersReach(answersBefore + 1 + unacknowledged.length);
    expect(ledger.ackCount - acksBefore, `every resend acknowledged; refusals: ${JSON.stringify([...ledger.refusals.values()].flat().slice(-3))}`).toBe(1 + unacknowledged.length);
    return { acknowledgedRef, unacknowledged };
  }

  it('keeps every acknowledged message, exactly once, through two kill -9s; a resend of one gets its first acknowledgement', { timeout: 60_000 }, async () => {
    let server = await start({ workers: 1, env: ENV });
    const { dataDir, ports } = server;
    const port = (await server.createRoom(ROOM)).body.data.port as number;
    // A signed-in user keeps their id across connections: their resends are recognised.
    const token = await server.token(ROOM, 'steady-sender');
    const ledger = new SendLedger((ref) => `kill -9 test message ${ref}`);
    let nextRef = 0;

    for (let kill = 1; kill <= KILLS; kill++) {
      const sender = await joinWithToken(port, token);
      ledger.watch(sender);
      if (kill > 1) {
        const { acknowledgedRef } = await resendAfterRestart(ledger, sender);
        const [first, again] = ledger.acks.get(acknowledgedRef)!;
        expect(again, 'the resend of an acknowledged message is answered').toBeDefined();
        expect({ id: again!.id, text: again!.text }).toEqual({ id: first!.id, text: first!.text });
      }
      const workers = await workerPids(server);
      const acksBefore = ledger.ackCount;
      const pump = pumpMessages(ledger, sender, nextRef, PER_TICK, TICK_MS);
      await ledger.acksReach(acksBefore + ACKS_BEFORE_KILL);
      // Right after a tick: the newest messages are on their way to (or in) a commit.
      await pump.afterNextTick();
      const unansweredAtKill = ledger.texts.size - ledger.acks.size;
      await server.stop('SIGKILL');
      nextRef = pump.stop();
      expect(unansweredAtKill, 'the kill lands under load, with messages unanswered').toBeGreaterThan(0);

      // The worker leaves as soon as its IPC channel closes (Node's cluster exits a worker whose
      // primary is gone at once: the sockets drop, 1006), freeing the room port for the next server.
      await sender.closed;
      await expect.poll(() => workers.filter(isAlive), { timeout: 10_000 }).toEqual([]);
      server = await start({ workers: 1, dataDir, ports, env: ENV });
    }

    const sender = await joinWithToken(port, token);
    ledger.watch(sender);
    const { acknowledgedRef } = await resendAfterRestart(ledger, sender);
    const [first, again] = ledger.acks.get(acknowledgedRef)!;
    expect({ id: again!.id, text: again!.text }).toEqual({ id: first!.id, text: first!.text });

    const reader = await joinWithToken(port, await server.token(ROOM, 'history-reader'));
    const history = await readWholeHistory(reader);
    const texts = history.map((m) => m.text as string);
    expect(repeated(texts), 'stored twice').toEqual([]);
    expect(repeated(history.map((m) => m.id as string)), 'ids stored twice').toEqual([]);
    // Every message the sender sent is there once it sent the unanswered ones again, and nothing else.
    expect(new Set(texts)).toEqual(new Set(ledger.texts.values()));
    // Every acknowledgement (the first, and those of resends) names the stored message.
    const idOfText = new Map(history.map((m) => [m.text as string, m.id as string]));
    const wrongAcks = [...ledger.acks.values()].flat().filter((ack) => idOfText.get(ack.text as string) !== ack.id);
    expect(wrongAcks, 'acknowledged with an id history does not hold for the text').toEqual([]);
    expect(ledger.acks.size).toBeGreaterThanOrEqual(KILLS * ACKS_BEFORE_KILL);
  });
});
