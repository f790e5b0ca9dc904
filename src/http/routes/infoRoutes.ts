import type { FastifyInstance } from 'fastify';
import { APP_VERSION } from '../../kit/appInfo.js';
import type { AppContext } from '../AppContext.js';

/** `GET /api/v1/` (who answers) and `GET /health` (can it take rooms). */
export function registerInfoRoutes(app: FastifyInstance, ctx: AppContext, appName: string): void {
  app.get('/api/v1/', async () => ({ data: { app: appName, version: APP_VERSION } }));

  app.get('/health', async (_request, reply) => {
    const workers = { ready: ctx.readyWorkers(), total: ctx.config.workers };
    const base = { workers, rooms: ctx.rooms.list().length, uptimeS: Math.round((Date.now() - ctx.state.startedAt) / 1000), ingest: await ctx.ingest() };
    if (!ctx.state.accepting) return reply.code(503).send({ data: { status: 'draining', ...base } });
    if (workers.ready === 0) return reply.code(503).send({ data: { status: 'unavailable', ...base } });
    return { data: { status: 'ok', ...base } };
  });
}
