import type { FastifyInstance } from 'fastify';
import { APP_NAME } from '../kit/appInfo.js';
import type { AppContext } from './AppContext.js';
import { requireApiKey } from '../kit/apiKey.js';
import { roomPagePolicy } from './contentSecurityPolicy.js';
import { apiErrorFor } from './domainErrors.js';
import { installErrorHandling } from '../kit/errorHandling.js';
import { installSecurityHeaders } from './securityHeaders.js';
import { buildHttpApp } from '../kit/serverLimits.js';
import { registerInfoRoutes } from './routes/infoRoutes.js';
import { registerPageRoutes } from './routes/pageRoutes.js';
import { registerRoomRoutes } from './routes/roomRoutes.js';
import { registerRecordingRoutes } from './routes/recordingRoutes.js';
import { registerTokenRoutes } from './routes/tokenRoutes.js';
import { registerLiveRoutes } from './routes/liveRoutes.js';

/** The public API on PORT (room creation with KEY, room info, tokens, health) and the pages. Not listening yet. */
export function buildPublicApp(ctx: AppContext): FastifyInstance {
  const app = buildHttpApp(undefined);
  const logger = ctx.logger.child({ component: 'public-api' });
  // The pages reach the room ports by the host name they were loaded from (pages/src/lib/room.ts).
  const { publicHost, roomPorts } = ctx.config;
  installSecurityHeaders(app, (request) => roomPagePolicy([request.hostname, publicHost], roomPorts));
  installErrorHandling(app, logger, apiErrorFor);
  registerInfoRoutes(app, ctx, APP_NAME);
  const requireKey = requireApiKey(ctx.config.key);
  registerRoomRoutes(app, ctx, requireKey);
  registerLiveRoutes(app, ctx, logger);
  registerRecordingRoutes(app, ctx);
  registerTokenRoutes(app, ctx, requireKey);
  registerPageRoutes(app);
  return app;
}
