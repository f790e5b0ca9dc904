import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, spawnPinned, stopChild, waitForLine } from './processes.js';
import { RawWsClient } from './rawWs.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** A chat server under test, and how a raw client speaks its protocol. */
export interface Target {
  readonly name: string;
  /** The process whose CPU is "the room worker" (the whole server for the peers). */
  readonly workerPid: number;
  readonly primaryPid?: number;
  /** Connects a client and joins the bench room. */
  connect(name: string): Promise<RawWsClient>;
  /** Sends a chat message carrying `text` to the room. */
  send(client: RawWsClient, text: string): void;
  stop(): Promise<void>;
}

/** The marker every benchmark message starts with: `t:<sent ms>:` (Date.now(), or performance.now() where sender and receivers share a process). Found without parsing JSON. */
export function sentAt(text: string): number | null {
  const at = text.indexOf('t:');
  if (at < 0) return null;
  const end = text.indexOf(':', at + 2);
  const value = Number(text.slice(at + 2, end));
  return Number.isFinite(value) ? value : null;
}

/**
 * `nodeArgs` go to node before the script (workers inherit them: say --cpu-prof for a profile of
 * every process); `env` adds to (and overrides) the bench's settings, e.g. HLS_MODE.
 */
export async function startChatserver(workers = 1, nodeArgs: string[] = [], env: Record<string, string> = {}): Promise<Target & { publicPort: number; adminPort: number; roomPort: number; firstRoomPort: number; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const [port, adminPort] = [await freePort(), await freePort()];
  // Below Linux's ephemeral range (32768+), where freePort() picks the API ports.
  const firstRoomPort = 21_000 + Math.floor(Math.random() * 8_000);
  const child = spawnPinned([...nodeArgs, path.join(ROOT, 'dist/main.js')], {
    ...process.env,
    PORT: String(port),
    ADMIN_PORT: String(adminPort),
    ROOM_PORTS: `${firstRoomPort}-${firstRoomPort + 999}`,
    DATA_DIR: dataDir,
    WORKERS: String(workers),
    KEY: 'BENCH',
    ADMIN_KEY: 'BENCH_ADMIN',
    LOG_LEVEL: 'info',
    CHAT_RATE: '100000',
    CHAT_BURST: '10000',
    MAX_CONNECTIONS_PER_IP: '1000000',
    ...env,
  });
  await waitForLine(child, (line) => line.includes('"msg":"chatserver ready"') || line.includes('chatserver ready'));
  const created = (await (await fetch(`http://127.0.0.1:${port}/api/v1/room/bench`, { method: 'POST', headers: { 'x-api-key': 'BENCH' } })).json()) as { data: { port: number } };
  const roomPort = created.data.port;
  const rooms = (await (await fetch(`http://127.0.0.1:${adminPort}/api/v1/rooms`, { headers: { 'x-api-key': 'BENCH_ADMIN' } })).json()) as { data: Array<{ name: string; workerPid: number }> };
  return {
    name: 'chatserver',
    dataDir,
    publicPort: port,
    adminPort,
    roomPort,
    firstRoomPort,
    workerPid: rooms.data.find((room) => room.name === 'bench')!.workerPid,
    primaryPid: child.pid!,
    connect: (name) => joinChat(roomPort, name),
    send: (client, text) => client.send(JSON.stringify({ type: 'message', text })),
    stop: async () => {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A chat client of chatserver on a room port: connects and joins anonymously. */
export async function joinChat(roomPort: number, name: string): Promise<RawWsClient> {
  const client = await RawWsClient.connect(roomPort, '/chat');
  const welcomed = new Promise<void>((resolve) => (client.onText = (text) => text.includes('"welcome"') && resolve()));
  client.send(JSON.stringify({ type: 'join', name }));
  await welcomed;
  return client;
}

/** A plain `ws` broadcast server (bench/peers/wsBroadcast.mjs): raw text in, the same text out. */
export async function startWsPeer(): Promise<Target> {
  const port = await freePort();
  const child = spawnPinned([path.join(ROOT, 'bench/peers/wsBroadcast.mjs'), String(port)], process.env);
  await waitForLine(child, (line) => line === 'ready');
  return {
    name: 'ws broadcast',
    workerPid: child.pid!,
    connect: () => RawWsClient.connect(port, '/'),
    send: (client, text) => client.send(text),
    stop: () => stopChild(child),
  };
}

/**
 * Socket.IO with rooms (bench/peers/socketioRooms.mjs), spoken at the Engine.IO v4 level over
 * its WebSocket transport: `40` connects the namespace, `42[...]` are events, `2`/`3` ping/pong.
 */
export async function startSocketIoPeer(): Promise<Target> {
  const port = await freePort();
  const child = spawnPinned([path.join(ROOT, 'bench/peers/socketioRooms.mjs'), String(port)], process.env);
  await waitForLine(child, (line) => line === 'ready');
  return {
    name: 'Socket.IO rooms',
    workerPid: child.pid!,
    connect: async () => {
      const client = await RawWsClient.connect(port, '/socket.io/?EIO=4&transport=websocket');
      client.autoReply = (text) => (text === '2' ? '3' : null);
      const connected = new Promise<void>((resolve) => (client.onText = (text) => text.startsWith('40') && resolve()));
      client.send('40');
      await connected;
      client.send('42["join","bench"]');
      return client;
    },
    send: (client, text) => client.send(`42["message","bench",${JSON.stringify(text)}]`),
    stop: () => stopChild(child),
  };
}
