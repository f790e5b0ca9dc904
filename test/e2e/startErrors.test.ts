import { execFileSync, spawnSync } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem, REQUIRED_NODE_MAJOR } from '../../src/nodeVersion.js';
import { ENTRY, ServerProcess } from '../helpers/ServerProcess.js';

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

describe('start failures (real processes)', () => {
  it('stops on a bad variable with one clear line and exit code 1', async () => {
    const { env } = await ServerProcess.environment({ env: { WORKERS: 'lots' } });
    const server = ServerProcess.spawn(env);
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(server.stderr.trim()).toBe('Invalid configuration: WORKERS="lots" must be a number (e.g. WORKERS=2)');
  });

  it('names the variable when its port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen({ port: 0 }, resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const { env } = await ServerProcess.environment({ env: { PORT: String(taken) } });
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
