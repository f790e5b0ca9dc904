import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ServerProcess } from '../helpers/ServerProcess.js';

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
});
