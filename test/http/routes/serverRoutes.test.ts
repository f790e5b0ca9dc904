import net from 'node:net';
import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AppContext, ServerSwitches } from '../../../src/http/AppContext.js';
import { apiErrorFor } from '../../../src/http/domainErrors.js';
import { installErrorHandling } from '../../../src/kit/errorHandling.js';
import { registerServerRoutes } from '../../../src/http/routes/serverRoutes.js';
import { DomainError } from '../../../src/contracts/domainErrors.js';

const logger = pino({ level: 'silent' });

/** The server routes over switches that record what they were asked. */
function appWith(control: Partial<ServerSwitches>) {
  const app = Fastify();
  installErrorHandling(app, logger, apiErrorFor);
  registerServerRoutes(app, { logger, control, backups: { run: async () => ({}) } } as unknown as AppContext);
  return app;
}

describe('server routes (admin API)', () => {
  it('answers 202 to a shutdown, then shuts down once the answer has left', async () => {
    const events: string[] = [];
    const app = appWith({
      shutdown: async (reason) => {
        events.push(`shutdown (${reason})`);
      },
    });
    app.addHook('onResponse', async (_request, reply) => {
      events.push(`answered ${reply.statusCode}`);
    });
    const reply = await app.inject({ method: 'POST', url: '/api/v1/server/shutdown' });
    expect(reply.statusCode).toBe(202);
    expect(reply.json()).toEqual({ data: { message: 'Shutting down' } });
    await expect.poll(() => events).toEqual(['answered 202', 'shutdown (admin API)']);
    await app.close();
  });

  it('shuts down too when the caller hung up before the route ran (its close came first)', async () => {
    let shutdownCalled!: () => void;
    const called = new Promise<void>((resolve) => (shutdownCalled = resolve));
    const app = appWith({ shutdown: async () => shutdownCalled() });
    // As the admin key check does, something awaited before the route: here, until the caller is gone.
    app.addHook('preHandler', async (request) => {
      if (!request.raw.socket.destroyed) await new Promise((resolve) => request.raw.socket.once('close', resolve));
    });
    const port = await app.listen({ port: 0, host: '127.0.0.1' }).then(() => (app.server.address() as net.AddressInfo).port);
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end('POST /api/v1/server/shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
    });
    await called;
    await app.close();
  });

  it('answers a second rolling restart with 409 CONFLICT', async () => {
    const app = appWith({
      rollingRestart: () => Promise.reject(new DomainError('RESTART_RUNNING')),
    });
    const reply = await app.inject({ method: 'POST', url: '/api/v1/server/restart' });
    expect(reply.statusCode).toBe(409);
    expect(reply.json()).toEqual({ error: { code: 'CONFLICT', message: 'A rolling restart is already running' } });
    await app.close();
  });
});
