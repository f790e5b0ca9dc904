import type { FastifyInstance } from 'fastify';
import { APP_NAME } from '../kit/appInfo.js';
import type { AppContext } from './AppContext.js';
import { requireApiKey } from '../kit/apiKey.js';
import { ADMIN_PAGE_POLICY } from './contentSecurityPolicy.js';
import { apiErrorFor } from './domainErrors.js';
import { installErrorHandling } from '../kit/errorHandling.js';
import { installSecurityHeaders } from './securityHeaders.js';
import { buildHttpApp } from '../kit/serverLimits.js';
import { registerAdminChatRoutes } from './routes/adminChatRoutes.js';
import { registerAdminRoomUserRoutes } from './routes/adminRoomUserRoutes.js';
import { registerAdminHistoryRoutes } from './routes/adminHistoryRoutes.js';
import { registerAdminRecordingRoutes } from './routes/recordingRoutes.js';
import { registerAdminRoutes } from './routes/adminRoutes.js';
import { registerAdminTokenRoutes } from './routes/adminTokenRoutes.js';
import { registerAdminSessionRoutes } from './routes/adminSessionRoutes.js';
import { registerAdminWebhookRoutes } from './routes/adminWebhookRoutes.js';
import { registerInfoRoutes } from './routes/infoRoutes.js';
import { registerServerRoutes } from './routes/serverRoutes.js';
import { isAdminPage, registerAdminPage } from './routes/adminPageRoutes.js';

/**
 * The admin API on ADMIN_PORT: every route needs ADMIN_KEY. It speaks https when TLS_CERT and
 * TLS_KEY are set, as the original deployment did.
 */
export function buildAdminApp(ctx: AppContext, workerPid: (slot: number) => number | undefined): FastifyInstance {
  const app = buildHttpApp(ctx.config.tls);
  const logger = ctx.logger.child({ component: 'admin-api' });
  installSecurityHeaders(app, () => ADMIN_PAGE_POLICY);
  installErrorHandling(app, logger, apiErrorFor);
  const requireKey = requireApiKey(ctx.config.adminKey);
  // The admin page itself is public: it asks for the key and sends it with every API call.
  app.addHook('onRequest', async (request, reply) => {
    if (!isAdminPage(request.url)) await requireKey(request, reply);
  });
  registerAdminPage(app);
  registerInfoRoutes(app, ctx, `Admin ${APP_NAME}`);
  registerAdminRoutes(app, ctx, workerPid);
  registerAdminChatRoutes(app, ctx);
  registerAdminRoomUserRoutes(app, ctx);
  registerAdminHistoryRoutes(app, ctx);
  registerAdminRecordingRoutes(app, ctx);
  registerAdminTokenRoutes(app, ctx);
  registerAdminSessionRoutes(app, ctx);
  registerAdminWebhookRoutes(app, ctx);
  registerServerRoutes(app, ctx);
  return app;
}
