import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeVersionProblem, REQUIRED_NODE_MAJOR } from '../../src/kit/nodeVersion.js';
import { unusedPort } from '../helpers/ports.js';
import { ENTRY, ServerProcess } from '../helpers/ServerProcess.js';
import { mountTmpfs, type Mounted } from '../helpers/tmpfs.js';

/** An older Node.js on this machine (the system's, when the suite runs on a newer one), if any. */
function olderNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim().slice(1);
      if (Number(version.split('.')[0]) < REQUIRED_NODE_MAJOR) return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** Data folders the tests make, removed at the end. */
const folders: string[] = [];
function tempFolder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatserver-start-'));
  folders.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('start failures (real processes)', () => {
  it('stops on a bad variable with one clear line and exit code 1', async () => {
    const { env } = await ServerProcess.environment({ dataDir: tempFolder(), env: { WORKERS: 'lots' } });
    const server = ServerProcess.spawn(env);
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(server.stderr.trim()).toBe('Invalid configuration: WORKERS="lots" must be a number (e.g. WORKERS=2)');
  });

  it('names the variable when its port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen({ port: 0 }, resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const { env } = await ServerProcess.environment({ dataDir: tempFolder(), env: { PORT: String(taken) } });
    const server = ServerProcess.spawn(env);
    const exit = await server.exited;
    blocker.close();
    expect(exit.code).toBe(1);
    expect(server.stderr).toContain(`Invalid configuration: PORT=${taken} is already in use by another program`);
  });

  it('says which Node.js it needs when started on an older one', () => {
    expect(nodeVersionProblem('20.20.2')).toBe(
      `chatserver needs Node.js ${REQUIRED_NODE_MAJOR} or later (the current LTS); this is Node.js 20.20.2. Install Node.js ${REQUIRED_NODE_MAJOR} and start again.`,
    );
    expect(nodeVersionProblem(`${REQUIRED_NODE_MAJOR}.0.0`)).toBeUndefined();
  });

  it.skipIf(olderNode() === undefined)('stops with that one line on an older Node.js on this machine', () => {
    const node = olderNode()!;
    const run = spawnSync(node, [ENTRY], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(new RegExp(`^chatserver needs Node.js ${REQUIRED_NODE_MAJOR} or later .* this is Node.js \\d+\\.`));
  });
});

/** Exits (code 1) with exactly one line on stderr, and no stack trace anywhere in its output. */
async function startFailure(dataDir: string, extraEnv: Record<string, string> = {}): Promise<string> {
  const { env } = await ServerProcess.environment({ dataDir, workers: 1, env: extraEnv });
  const server = ServerProcess.spawn(env);
  const started = server.waitForLog((line) => line.msg === 'chatserver ready', 20_000).then(
    () => true,
    () => false,
  );
  const outcome = await Promise.race([server.exited, started]);
  if (outcome === true) {
    await server.dispose();
    throw new Error(`the server started instead of stopping; its log:\n${server.logs.map((line) => JSON.stringify(line)).join('\n')}`);
  }
  expect((await server.exited).code).toBe(1);
  const lines = server.stderr.trimEnd().split('\n');
  expect(lines, server.stderr).toHaveLength(1);
  const output = server.stderr + server.logs.map((line) => JSON.stringify(line)).join('\n');
  expect(output, 'a stack trace').not.toMatch(/\bat .+:\d+:\d+\)?/);
  // The log is the behaviour here: a start failure leaves this one record (with the reason) for the log collector.
  expect(server.logs.find((line) => line.msg === 'start failed')).toMatchObject({ reason: lines[0] });
  return lines[0]!;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('start failures of the embedded store (real processes)', () => {
  let readOnly: Mounted = { reason: 'not mounted yet' };
  beforeAll(() => {
    readOnly = mountTmpfs('ro,size=1m');
  });
  afterAll(() => {
    if (readOnly.dir !== undefined) readOnly.unmount();
  });

  /** Garbage bytes as `fileName` in a new DATA_DIR: the start stops, says so, and leaves the file as it was. */
  async function refusesDamaged(fileName: string, env: Record<string, string> = {}): Promise<void> {
    const dataDir = tempFolder();
    const file = path.join(dataDir, fileName);
    const garbage = randomBytes(64 * 1024);
    writeFileSync(file, garbage);

    const line = await startFailure(dataDir, env);
    expect(line).toMatch(new RegExp(`^${escaped(file)} is damaged \\(.+\\): it was left untouched; stop the server and restore a backup \\(see docs/operations\\.md\\)$`));
    expect(readFileSync(file).equals(garbage), 'the file was changed').toBe(true);
    expect(readdirSync(dataDir), 'no journal or WAL file was made next to it').toEqual([fileName]);
  }

  it('stops on a damaged database file, names it and says to restore a backup, and leaves it byte for byte as it was', async () => {
    await refusesDamaged('chatserver.sqlite');
  });

  it('stops on a damaged MongoDB journal the same way, rather than starting as if MongoDB were only unreachable', async () => {
    // The journal is opened before MongoDB is tried; nothing listens on this port.
    await refusesDamaged('journal.sqlite', { MONGODB_URI: `mongodb://127.0.0.1:${await unusedPort()}/chatserver` });
  });

  it('stops when DATA_DIR cannot be a folder', async () => {
    // Root (as the tests may run) writes through permission bits, so a folder made read-only with
    // chmod would not stop it: a path that runs through a regular file fails for every user.
    const file = path.join(tempFolder(), 'file');
    writeFileSync(file, 'not a folder');
    const dataDir = path.join(file, 'data');
    expect(await startFailure(dataDir)).toBe(
      `DATA_DIR ${dataDir} is not a writable folder (ENOTDIR): give the server's user write access to it, or set DATA_DIR to one it can write`,
    );
  });

  it('stops when DATA_DIR is on a read-only file system', async (ctx) => {
    ctx.skip(readOnly.dir === undefined, readOnly.dir === undefined ? readOnly.reason : '');
    const dataDir = readOnly.dir!;
    expect(await startFailure(dataDir)).toBe(
      `DATA_DIR ${dataDir} is not a writable folder (EROFS): give the server's user write access to it, or set DATA_DIR to one it can write`,
    );
  });
});
