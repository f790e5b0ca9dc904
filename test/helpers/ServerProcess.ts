import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, freePortRange } from './ports.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const ENTRY = path.join(ROOT, 'dist/main.js');
export const LB_ENTRY = path.join(ROOT, 'dist-lb/loadbalancer/src/main.js');

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export interface StartOptions {
  readonly workers?: number;
  readonly roomPortCount?: number;
  /** Reuse a data folder (a restart); a fresh temporary one otherwise. */
  readonly dataDir?: string;
  /** Reuse ports (a restart keeps them). */
  readonly ports?: { port: number; adminPort: number; roomPorts: string };
  readonly env?: Record<string, string>;
}

export interface ApiAnswer {
  readonly status: number;
  // Test code reads arbitrary JSON shapes; each test asserts the fields it cares about.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reason: JSON of any shape
  readonly body: any;
  readonly headers: Headers;
}

/** Spawns the real server (`node dist/main.js`) and reads its JSON log lines. */
export class ServerProcess {
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;
  readonly #waiters = new Set<{ test: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();

  private constructor(
    readonly env: Record<string, string>,
    readonly dataDir: string,
    readonly ownsDataDir: boolean,
    entry = ENTRY,
  ) {
    this.#child = spawn(process.execPath, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
    createInterface({ input: this.#child.stdout! }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text, raw: true };
      }
      this.logs.push(line);
      for (const waiter of this.#waiters) {
        if (waiter.test(line)) {
          this.#waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /** Builds the environment for a server on free ports with a temporary data folder. */
  static async environment(options: StartOptions = {}): Promise<{ env: Record<string, string>; dataDir: string; owns: boolean }> {
    const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'chatserver-test-'));
    const ports = options.ports ?? (await freeServerPorts(options.roomPortCount ?? 8));
    const inherited = { ...process.env } as Record<string, string>;
    delete inherited.MONGODB_URI;
    delete inherited.NODE_OPTIONS;
    const env: Record<string, string> = {
      ...inherited,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: String(ports.port),
      ADMIN_PORT: String(ports.adminPort),
      ROOM_PORTS: ports.roomPorts,
      DATA_DIR: dataDir,
      WORKERS: String(options.workers ?? 2),
      KEY: 'TESTING_KEY',
      ADMIN_KEY: 'ADMIN_TESTING_KEY',
      PUBLIC_HOST: '127.0.0.1',
      ...options.env,
    };
    return { env, dataDir, owns: options.dataDir === undefined };
  }

  /** Starts a server and resolves once it logs "chatserver ready". */
  static async start(options: StartOptions = {}): Promise<ServerProcess> {
    const { env, dataDir, owns } = await ServerProcess.environment(options);
    const server = new ServerProcess(env, dataDir, owns);
    await server.ready();
    return server;
  }

  /** Starts a load balancer (`npm run start:lb`) on `port` and resolves once it is ready. */
  static async startLoadBalancer(port: number, env: Record<string, string> = {}): Promise<ServerProcess> {
    const inherited = { ...process.env } as Record<string, string>;
    delete inherited.NODE_OPTIONS;
    const lb = new ServerProcess({ ...inherited, PORT: String(port), LOADBALANCER_KEY: 'LB_TESTING_KEY', LOG_LEVEL: 'info', ...env }, '', false, LB_ENTRY);
    await Promise.race([
      lb.waitForLog((line) => line.msg === 'loadbalancer ready', 15_000),
      lb.exited.then(({ code }) => {
        throw new Error(`load balancer exited with ${code} before it was ready:\n${lb.stderr}`);
      }),
    ]);
    return lb;
  }

  /** Spawns without waiting (for start-failure tests). */
  static spawn(env: Record<string, string>): ServerProcess {
    return new ServerProcess(env, env.DATA_DIR ?? '', false);
  }

  get pid(): number {
    return this.#child.pid!;
  }
  get port(): number {
    return Number(this.env.PORT);
  }
  get adminPort(): number {
    return Number(this.env.ADMIN_PORT);
  }
  get roomPorts(): { first: number; last: number } {
    const [first, last] = this.env.ROOM_PORTS!.split('-').map(Number) as [number, number];
    return { first, last };
  }
  get ports(): { port: number; adminPort: number; roomPorts: string } {
    return { port: this.port, adminPort: this.adminPort, roomPorts: this.env.ROOM_PORTS! };
  }

  async ready(timeoutMs = 20_000): Promise<void> {
    await Promise.race([
      this.waitForLog((line) => line.msg === 'chatserver ready', timeoutMs),
      this.exited.then(({ code }) => {
        throw new Error(`server exited with ${code} before it was ready:\n${this.stderr}`);
      }),
    ]);
  }

  /** Resolves with the first log line (already seen or coming) that passes the test. */
  waitForLog(test: (line: LogLine) => boolean, timeoutMs = 10_000, since = 0): Promise<LogLine> {
    const seen = this.logs.slice(since).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve: (line: LogLine) => (clearTimeout(timer), resolve(line)) };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no matching log line within ${timeoutMs} ms; last lines:\n${this.logs.slice(-10).map((l) => JSON.stringify(l)).join('\n')}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Calls the public API (or the admin API with `admin: true`). */
  async api(method: string, urlPath: string, options: { key?: string; admin?: boolean; body?: string; headers?: Record<string, string> } = {}): Promise<ApiAnswer> {
    const port = options.admin ? this.adminPort : this.port;
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers['x-api-key'] = options.key;
    const response = await fetch(`http://127.0.0.1:${port}${urlPath}`, { method, headers, body: options.body });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // plain text answers stay text
    }
    return { status: response.status, body, headers: response.headers };
  }

  admin(method: string, urlPath: string, body?: unknown): Promise<ApiAnswer> {
    return this.api(method, urlPath, {
      admin: true,
      key: this.env.ADMIN_KEY,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
    });
  }

  createRoom(name: string, settings?: Record<string, unknown>): Promise<ApiAnswer> {
    return this.api('POST', `/api/v1/room/${name}`, {
      key: this.env.KEY,
      body: settings === undefined ? undefined : JSON.stringify({ settings }),
      headers: settings === undefined ? {} : { 'content-type': 'application/json' },
    });
  }

  /** A join token minted by the server's token route. */
  async token(room: string, user: string, role: 'viewer' | 'producer' | 'moderator' = 'viewer'): Promise<string> {
    const answer = await this.api('POST', `/api/v1/room/${room}/token`, {
      key: this.env.KEY,
      body: JSON.stringify({ user, name: user, role }),
      headers: { 'content-type': 'application/json' },
    });
    if (answer.status !== 200) throw new Error(`token refused: ${JSON.stringify(answer.body)}`);
    return answer.body.data.token as string;
  }

  /** Sends a signal and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill(signal);
    return this.exited;
  }

  /** Stops the server (SIGKILL if it hangs) and removes a temporary data folder. */
  async dispose(): Promise<void> {
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await this.stop('SIGTERM');
    clearTimeout(timer);
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** API ports and a room port range that do not overlap (the server refuses a range holding an API port). */
async function freeServerPorts(roomPortCount: number): Promise<{ port: number; adminPort: number; roomPorts: string }> {
  // Room ranges lie below the ephemeral range and API ports in it (port 0): a room port freed
  // for a moment (a worker crash, a restart) is never handed to another test's API listener.
  const range = await freePortRange(roomPortCount);
  const port = await freePort();
  let adminPort = await freePort();
  while (adminPort === port) adminPort = await freePort();
  return { port, adminPort, roomPorts: range.env };
}

/** Whether a process with this pid still exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GET a room port's `/` and return the text, or the connection error's code. */
export async function roomAnswer(port: number): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    return await response.text();
  } catch (error) {
    return `error: ${((error as Error).cause as NodeJS.ErrnoException | undefined)?.code ?? (error as Error).message}`;
  }
}

/**
 * Servers a test file starts, disposed after each test, newest first (a restarted server shares
 * its data folder with the one before it). Call in a describe block.
 */
export function serversPerTest(afterEach: (fn: () => Promise<void>) => void): (options?: StartOptions) => Promise<ServerProcess> {
  const started: ServerProcess[] = [];
  afterEach(async () => {
    for (const server of started.splice(0).reverse()) await server.dispose();
  });
  return async (options) => {
    const server = await ServerProcess.start(options);
    started.push(server);
    return server;
  };
}
