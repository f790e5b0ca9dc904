/**
 * kill -9 durability: one sender posts at a steady rate into one room; after a random 2-5 s the
 * primary gets SIGKILL (its workers follow when their IPC channel closes); the server starts
 * again on the same DATA_DIR and ports, and the room's whole history, read through the chat
 * protocol, is checked against every acknowledgement the sender got. Repeated `kills` times,
 * each restart posting on into the same room; at the end a clean stop and the SQLite file read
 * directly, as a second witness.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import { AckSender, refOfText, sendPaced, SendLedger } from './ackSender.js';
import { readWholeHistory, type StoredMessage } from './historyPager.js';
import { measurePressure, type Pressure } from './pressure.js';
import { answers200, serverPorts, ServerProcess, sleep, waitUntil } from './serverProcess.js';

const ROOM = 'durable';

/** What is stored against what the sender was told. */
export interface Audit {
  readonly stored: number;
  readonly ackedMissing: number;
  readonly ackedChanged: number;
  readonly storedDespiteNotPersisted: number;
  readonly storedUnanswered: number;
  readonly duplicates: number;
}

/** One kill and restart; the Audit fields check every message sent so far against the history after this restart. */
export interface KillRound extends Audit {
  readonly round: number;
  readonly killAfterMs: number;
  /** This round's messages and their answers. */
  readonly sent: number;
  readonly acked: number;
  readonly notPersisted: number;
  readonly otherRefusals: number;
  readonly unanswered: number;
  readonly workersGoneMs: number;
  readonly restartReadyMs: number;
}

export interface KillTestResult {
  readonly rate: number;
  readonly rounds: KillRound[];
  /** Ack latencies (ms) of every acknowledged message, all rounds. */
  readonly latencies: number[];
  /** The same checks against the SQLite file after a clean stop. */
  readonly file: Pick<KillRound, 'stored' | 'ackedMissing' | 'ackedChanged' | 'duplicates'>;
  /** How busy the shared machine was during the whole test. */
  readonly pressure: Pressure;
}

/** Compares what is stored with what the sender was told. */
function audit(ledger: SendLedger, stored: readonly StoredMessage[]): Audit {
  const byId = new Map(stored.map((message) => [message.id, message]));
  const refsStored = new Set<number>();
  let duplicates = 0;
  for (const message of stored) {
    const ref = refOfText(message.text);
    if (ref === null) continue;
    if (refsStored.has(ref)) duplicates += 1;
    refsStored.add(ref);
  }
  let ackedMissing = 0;
  let ackedChanged = 0;
  for (const ack of ledger.acks.values()) {
    const found = byId.get(ack.id);
    if (!found) ackedMissing += 1;
    else if (found.text !== ack.text) ackedChanged += 1;
  }
  const storedDespiteNotPersisted = [...ledger.refusals].filter(([ref, code]) => code === 'NOT_PERSISTED' && refsStored.has(ref)).length;
  const storedUnanswered = ledger.unanswered().filter((ref) => refsStored.has(ref)).length;
  return { stored: stored.length, ackedMissing, ackedChanged, storedDespiteNotPersisted, storedUnanswered, duplicates };
}

/** Every message of the room in the SQLite file (the server stopped). */
async function readFile(dataDir: string): Promise<StoredMessage[]> {
  const store = new SqliteStore(dataDir);
  await store.open();
  try {
    return await store.listMessages(ROOM, { limit: 10_000_000 });
  } finally {
    await store.close();
  }
}

export async function runKillTest(kills: number, rate: number): Promise<KillTestResult> {
  const pressure = measurePressure();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-durable-'));
  const ports = await serverPorts(100);
  const options = { dataDir, ports, workers: 1 };
  let server = await ServerProcess.start(options);
  const roomPort = await server.createRoom(ROOM);
  const ledger = new SendLedger();
  const rounds: KillRound[] = [];
  let nextRef = 0;
  try {
    for (let round = 1; round <= kills; round++) {
      const firstRef = nextRef;
      const sender = await AckSender.join(roomPort, `sender-${round}`, ledger);
      const workerPids = await server.workerPids();
      const killAfterMs = Math.round(2_000 + Math.random() * 3_000);
      const posting = sendPaced([sender], rate, Number.POSITIVE_INFINITY, () => nextRef++, sender.closed);
      await sleep(killAfterMs);
      const workersGoneMs = await server.kill9(workerPids);
      await posting;

      server = ServerProcess.spawn(options);
      const restartReadyMs = await server.ready();
      await waitUntil(() => answers200(roomPort), 10_000, 'the room answers after the restart');
      const checks = audit(ledger, await readWholeHistory(roomPort));

      const refs = Array.from({ length: nextRef - firstRef }, (_, i) => firstRef + i);
      const codes = refs.map((ref) => ledger.refusals.get(ref)).filter((code) => code !== undefined);
      rounds.push({
        round,
        killAfterMs,
        sent: refs.length,
        acked: refs.filter((ref) => ledger.acks.has(ref)).length,
        notPersisted: codes.filter((code) => code === 'NOT_PERSISTED').length,
        otherRefusals: codes.filter((code) => code !== 'NOT_PERSISTED').length,
        unanswered: refs.filter((ref) => !ledger.acks.has(ref) && !ledger.refusals.has(ref)).length,
        workersGoneMs,
        restartReadyMs,
        ...checks,
      });
    }
    await server.stop();
    const { stored, ackedMissing, ackedChanged, duplicates } = audit(ledger, await readFile(dataDir));
    return { rate, rounds, latencies: ledger.latencies(), file: { stored, ackedMissing, ackedChanged, duplicates }, pressure: pressure() };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
