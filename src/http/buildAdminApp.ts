import Fastify, { type FastifyInstance } from 'fastify';
import { APP_NAME } from '../appInfo.js';
import type { AppContext } from './AppContext.js';
import { requireApiKey } from './apiKey.js';
import { installErrorHandling } from './errorHandling.js';
import { serverLimits } from './serverLimits.js';
import { registerAdminChatRoutes } from './routes/adminChatRoutes.js';
import { registerAdminRoutes } from './routes/adminRoutes.js';
import { registerInfoRoutes } from './routes/infoRoutes.js';
import { registerServerRoutes } from './routes/serverRoutes.js';

/**
 * The admin API on ADMIN_PORT: every route needs ADMIN_KEY. It speaks https when TLS_CERT and
 * TLS_KEY are set, as the original deployment did.
 */
export function buildAdminApp(ctx: AppContext, workerPid: (slot: number) => number | undefined): FastifyInstance {
  const { tls } = ctx.config;
  // fastify's https overload returns an https-typed instance; the routes only need the common surface.
  const app = (tls ? Fastify({ ...serverLimits(), https: { cert: tls.cert, key: tls.key } }) : Fastify(serverLimits())) as unknown as FastifyInstance;
  const logger = ctx.logger.child({ component: 'admin-api' });
  installErrorHandling(app, logger);
  app.addHook('onRequest', requireApiKey(ctx.config.adminKey));
  registerInfoRoutes(app, ctx, `Admin ${APP_NAME}`);
  registerAdminRoutes(app, ctx, workerPid);
  registerAdminChatRoutes(app, ctx);
  registerServerRoutes(app, ctx);
  return app;
}
