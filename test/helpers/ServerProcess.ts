import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePortRange } from './ports.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const ENTRY = path.join(ROOT, 'dist/main.js');
export const LB_ENTRY = path.join(ROOT, 'dist-lb/loadbalancer/src/main.js');

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** The ports a restart keeps: its room port range (ROOM_PORTS). API ports are the OS's pick at every start. */
export interface ServerPorts {
  readonly roomPorts: string;
}

export interface StartOptions {
  readonly workers?: number;
  readonly roomPortCount?: number;
  /** Reuse a data folder (a restart); a fresh temporary one otherwise. */
  readonly dataDir?: string;
  /** Reuse a room port range (a restart keeps its rooms' ports): `server.ports`. */
  readonly ports?: ServerPorts;
  readonly env?: Record<string, string>;
  /** Writes into the data folder before the start (stored rooms, history); the room port range is known by then. */
  readonly seed?: (dataDir: string, roomPorts: { first: number; last: number }) => Promise<void> | void;
  /** How long the start may take (a big stored history loads for a while); 20 s by default. */
  readonly readyTimeoutMs?: number;
}

export interface AdminRoom {
  readonly name: string;
  readonly port: number;
  readonly status: string;
  readonly live: boolean;
  readonly workerPid: number | null;
}

export interface ApiAnswer {
  readonly status: number;
  // Test code reads arbitrary JSON shapes; each test asserts the fields it cares about.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reason: JSON of any shape
  readonly body: any;
  readonly headers: Headers;
}

/**
 * Spawns the real server (`node dist/main.js`) and reads its JSON log lines. Its API ports are
 * 0 (PORT, ADMIN_PORT): the OS picks them when the server listens, and the server names them in
 * its `chatserver ready` line, where `port` and `adminPort` are read (see ports.ts).
 */
export class ServerProcess {
  readonly logs: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;
  readonly #waiters = new Set<{ test: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  /** The API port(s) the process named in its ready line, and its shared RTMP port when RTMP_PORT is set. */
  #bound: { port: number; adminPort?: number; rtmpPort?: number } | undefined;

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

  /** Builds the environment for a server on OS-assigned API ports, a room port range of its own and a temporary data folder. */
  static async environment(options: StartOptions = {}): Promise<{ env: Record<string, string>; dataDir: string; owns: boolean }> {
    const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'chatserver-test-'));
    const ports = options.ports ?? { roomPorts: (await freePortRange(options.roomPortCount ?? 8)).env };
    const inherited = { ...process.env } as Record<string, string>;
    delete inherited.MONGODB_URI;
    delete inherited.NODE_OPTIONS;
    const env: Record<string, string> = {
      ...inherited,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      ADMIN_PORT: '0',
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

  /**
   * Starts a server and resolves once it logs "chatserver ready" (a start that fails throws with
   * its stderr; the data folder it made is removed then).
   */
  static async start(options: StartOptions = {}): Promise<ServerProcess> {
    const { env, dataDir, owns } = await ServerProcess.environment(options);
    try {
      await options.seed?.(dataDir, parseRange(env.ROOM_PORTS!));
    } catch (error) {
      if (owns) rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
    const server = new ServerProcess(env, dataDir, owns);
    try {
      await server.ready(options.readyTimeoutMs);
    } catch (error) {
      await server.dispose();
      throw error;
    }
    return server;
  }

  /**
   * Starts a load balancer (`npm run start:lb`) and resolves once it is ready. Its port is the
   * OS's pick unless `port` is given (a restart keeps the port the chat servers know).
   */
  static async startLoadBalancer(port = 0, env: Record<string, string> = {}): Promise<ServerProcess> {
    const inherited = { ...process.env } as Record<string, string>;
    delete inherited.NODE_OPTIONS;
    const lb = new ServerProcess({ ...inherited, PORT: String(port), LOADBALANCER_KEY: 'LB_TESTING_KEY', LOG_LEVEL: 'info', ...env }, '', false, LB_ENTRY);
    await lb.#readyLine('loadbalancer ready', 15_000);
    return lb;
  }

  /** Spawns without waiting (for start-failure tests). */
  static spawn(env: Record<string, string>): ServerProcess {
    return new ServerProcess(env, env.DATA_DIR ?? '', false);
  }

  get pid(): number {
    return this.#child.pid!;
  }
  /** The public API's port, as the ready line names it. */
  get port(): number {
    if (!this.#bound) throw new Error('the port is known once the process is ready');
    return this.#bound.port;
  }
  /** The admin API's port, as the ready line names it. */
  get adminPort(): number {
    if (this.#bound?.adminPort === undefined) throw new Error('the admin port is known once the server is ready');
    return this.#bound.adminPort;
  }
  /** The shared RTMP port (RTMP_PORT, 0 in tests: the ready line names the one bound). */
  get rtmpPort(): number {
    if (this.#bound?.rtmpPort === undefined) throw new Error('the RTMP port is known once a server started with RTMP_PORT is ready');
    return this.#bound.rtmpPort;
  }
  get roomPorts(): { first: number; last: number } {
    return parseRange(this.env.ROOM_PORTS!);
  }
  /** What a restart on this server's data folder reuses: the room port range (its rooms keep their ports). */
  get ports(): ServerPorts {
    return { roomPorts: this.env.ROOM_PORTS! };
  }

  /** Resolves once the server logs "chatserver ready" (taking its API ports from that line); throws if it exits first. */
  async ready(timeoutMs = 20_000): Promise<void> {
    await this.#readyLine('chatserver ready', timeoutMs);
  }

  async #readyLine(msg: string, timeoutMs: number): Promise<void> {
    const line = await Promise.race([
      this.waitForLog((l) => l.msg === msg, timeoutMs),
      this.exited.then(({ code }) => {
        throw new Error(`${msg === 'chatserver ready' ? 'server' : 'load balancer'} exited with ${code} before it was ready:\n${this.stderr}`);
      }),
    ]);
    const named = (value: unknown) => (value === undefined ? undefined : Number(value));
    this.#bound = { port: Number(line.port), adminPort: named(line.adminPort), rtmpPort: named(line.rtmpPort) };
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

  /** GET /api/v1/rooms on the admin API: every room with its status and its worker's pid. */
  async rooms(): Promise<AdminRoom[]> {
    return (await this.admin('GET', '/api/v1/rooms')).body.data as AdminRoom[];
  }

  /** GET /api/v1/stats on the admin API (`data`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reason: JSON of any shape, as ApiAnswer.body
  async stats(): Promise<any> {
    return (await this.admin('GET', '/api/v1/stats')).body.data;
  }

  /** The HLS folder of a room (HLS_DIR is DATA_DIR/hls in the tests). */
  hlsDir(room: string): string {
    return path.join(this.dataDir, 'hls', room);
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

function parseRange(range: string): { first: number; last: number } {
  const [first, last] = range.split('-').map(Number) as [number, number];
  return { first, last };
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

type Hook = (fn: () => Promise<void>) => void;
export type StartServer = (options?: StartOptions) => Promise<ServerProcess>;

/**
 * How an end-to-end test starts a server: `start(options)` resolves with a ready server, which
 * `hook` disposes, newest first (a restarted server shares its data folder with the one before
 * it). Called first in a describe block, its hook runs after the others of that block (clients
 * are closed before their server stops).
 */
function serversDisposedBy(hook: Hook): StartServer {
  const started: ServerProcess[] = [];
  hook(async () => {
    for (const server of started.splice(0).reverse()) await server.dispose();
  });
  return async (options) => {
    const server = await ServerProcess.start(options);
    started.push(server);
    return server;
  };
}

/** Servers disposed after each test: `const start = serversPerTest(afterEach)`. */
export function serversPerTest(afterEach: Hook): StartServer {
  return serversDisposedBy(afterEach);
}

/** Servers shared by a file's tests, disposed after the last: `const start = serversPerFile(afterAll)`, then `start` in a beforeAll. */
export function serversPerFile(afterAll: Hook): StartServer {
  return serversDisposedBy(afterAll);
}
