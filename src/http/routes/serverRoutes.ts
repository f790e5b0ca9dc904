import type { FastifyInstance } from 'fastify';
import { LOG_LEVELS, type LogLevel } from '../../contracts/logLevels.js';
import type { AppContext } from '../AppContext.js';
import { ApiError } from '../../kit/errors.js';

/** Reads `{"<field>": <value>}` where the value must pass `valid`; anything else is a 400. */
function field<T>(body: unknown, name: string, valid: (value: unknown) => value is T, expected: string): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError('BAD_REQUEST', `The body must be {"${name}": ${expected}}`);
  const extra = Object.keys(body).filter((key) => key !== name);
  if (extra.length > 0) throw new ApiError('BAD_REQUEST', `Unknown field: ${extra[0]}`);
  const value = (body as Record<string, unknown>)[name];
  if (!valid(value)) throw new ApiError('BAD_REQUEST', `${name} must be ${expected}`);
  return value;
}

const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isLevel = (value: unknown): value is LogLevel => typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);

/** The admin API's server switches: drain / resume, rolling restart, shutdown, log level, backup. */
export function registerServerRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post('/api/v1/server/accepting', async (request) => {
    const accepting = field(request.body, 'accepting', isBoolean, 'true or false');
    ctx.control.setAccepting(accepting);
    return { data: { accepting } };
  });

  app.post('/api/v1/server/restart', async () => ({ data: await ctx.control.rollingRestart() }));

  app.post('/api/v1/server/shutdown', async (_request, reply) => {
    // The shutdown closes this listener: it starts once the answer has left ('close' follows
    // 'finish', and also comes when the caller hung up first; a caller gone before this handler
    // ran has had its 'close' already). How it ends is the process's to report.
    const shutdown = () => void ctx.control.shutdown('admin API').catch(() => undefined);
    if (reply.raw.destroyed) shutdown();
    else reply.raw.once('close', shutdown);
    return reply.code(202).send({ data: { message: 'Shutting down' } });
  });

  app.post('/api/v1/server/backup', async () => ({ data: await ctx.backups.run() }));

  app.get('/api/v1/server/log-level', async () => ({ data: { level: ctx.logger.level } }));

  app.put('/api/v1/server/log-level', async (request) => ({
    data: await ctx.control.setLogLevel(field(request.body, 'level', isLevel, `one of ${LOG_LEVELS.join(', ')}`)),
  }));
}
