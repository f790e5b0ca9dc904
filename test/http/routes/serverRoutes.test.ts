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
