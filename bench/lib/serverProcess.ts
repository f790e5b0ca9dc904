/**
 * The real server (`node dist/main.js`) as a process the durability and store scenarios start,
 * kill and start again on the same DATA_DIR and ports: unlike targets.ts's startChatserver, it
 * owns neither its data folder nor a room, and it times its own start and stop.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, spawnPinned } from './processes.js';
import { ROOT } from './targets.js';

export interface ServerPorts {
  readonly port: number;
  readonly adminPort: number;
  readonly firstRoomPort: number;
  readonly lastRoomPort: number;
}

export interface ServerOptions {
  readonly dataDir: string;
  readonly ports: ServerPorts;
  readonly workers: number;
  /** Added to (and overriding) the bench defaults, e.g. COMMIT_MAX_MESSAGES. */
  readonly env?: Record<string, string>;
}

const KEY = 'BENCH';
const ADMIN_KEY = 'BENCH_ADMIN';
const POLL_MS = 10;

/** API ports, and a room port range below Linux's ephemeral range (32768+) where freePort() picks them. */
export async function serverPorts(roomPorts = 1000): Promise<ServerPorts> {
  const firstRoomPort = 21_000 + Math.floor(Math.random() * 8_000);
  const port = await freePort();
  let adminPort = await freePort();
  while (adminPort === port) adminPort = await freePort();
  return { port, adminPort, firstRoomPort, lastRoomPort: firstRoomPort + roomPorts - 1 };
}

/**
 * Whether a process still runs. A zombie does not: a worker whose primary died is reparented to
 * pid 1, which may take a second or more to reap it (this machine's init does), long after it
 * exited and let go of its ports.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `test` every 10 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(test: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await test())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

/** Whether `GET http://127.0.0.1:port/path` answers 200. */
export async function answers200(port: number, urlPath = '/'): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${urlPath}`);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

export class ServerProcess {
  /** performance.now() when the process was spawned. */
  readonly spawnedAt: number;
  readonly exited: Promise<void>;
  readonly #child: ChildProcess;
  readonly #ports: ServerPorts;
  readonly #readyLine: Promise<number>;

  private constructor(options: ServerOptions) {
    this.#ports = options.ports;
    this.spawnedAt = performance.now();
    this.#child = spawnPinned([path.join(ROOT, 'dist/main.js')], {
      ...process.env,
      PORT: String(options.ports.port),
      ADMIN_PORT: String(options.ports.adminPort),
      ROOM_PORTS: `${options.ports.firstRoomPort}-${options.ports.lastRoomPort}`,
      DATA_DIR: options.dataDir,
      WORKERS: String(options.workers),
      KEY,
      ADMIN_KEY,
      LOG_LEVEL: 'info',
      CHAT_RATE: '100000',
      CHAT_BURST: '10000',
      MAX_CONNECTIONS_PER_IP: '1000000',
      ...options.env,
    });
    this.exited = new Promise((resolve) => this.#child.once('exit', () => resolve()));
    this.#readyLine = new Promise((resolve, reject) => {
      // Read every line for the life of the process: an unread pipe would stall its logging.
      createInterface({ input: this.#child.stdout! }).on('line', (line) => line.includes('chatserver ready') && resolve(performance.now() - this.spawnedAt));
      void this.exited.then(() => reject(new Error('server exited before it was ready')));
    });
  }

  /** Spawns the server; `ready()` waits for it. */
  static spawn(options: ServerOptions): ServerProcess {
    return new ServerProcess(options);
  }

  static async start(options: ServerOptions): Promise<ServerProcess> {
    const server = ServerProcess.spawn(options);
    await server.ready();
    return server;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Milliseconds from spawn to the "chatserver ready" log line. */
  ready(): Promise<number> {
    return this.#readyLine;
  }

  async adminText(urlPath: string): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.#ports.adminPort}${urlPath}`, { headers: { 'x-api-key': ADMIN_KEY } });
    return response.text();
  }

  async adminGet<T>(urlPath: string): Promise<T> {
    return (JSON.parse(await this.adminText(urlPath)) as { data: T }).data;
  }

  /** Creates a room and returns its port. */
  async createRoom(name: string): Promise<number> {
    const response = await fetch(`http://127.0.0.1:${this.#ports.port}/api/v1/room/${name}`, { method: 'POST', headers: { 'x-api-key': KEY } });
    if (!response.ok) throw new Error(`room ${name} not created: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { data: { port: number } }).data.port;
  }

  async workerPids(): Promise<number[]> {
    const stats = await this.adminGet<{ workers: Array<{ pid: number | null }> }>('/api/v1/stats');
    return stats.workers.flatMap((worker) => (worker.pid === null ? [] : [worker.pid]));
  }

  /**
   * SIGKILL to the primary, then waits until its workers are gone too (they exit when their IPC
   * channel closes). Resolves with the milliseconds the last worker took to go after the primary.
   */
  async kill9(workerPids: readonly number[]): Promise<number> {
    this.#child.kill('SIGKILL');
    await this.exited;
    const primaryGone = performance.now();
    await waitUntil(() => workerPids.every((pid) => !isAlive(pid)), 10_000, 'workers exit after the primary was killed');
    return performance.now() - primaryGone;
  }

  /** SIGTERM, and the milliseconds until the primary (which waits for its workers) exits. */
  async stop(): Promise<number> {
    const started = performance.now();
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    await this.exited;
    return performance.now() - started;
  }
}
