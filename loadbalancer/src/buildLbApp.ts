import type { FastifyInstance } from 'fastify';
import { APP_VERSION } from '../../src/kit/appInfo.js';
import { installErrorHandling } from '../../src/kit/errorHandling.js';
import { buildHttpApp } from '../../src/kit/serverLimits.js';
import type { Logger } from '../../src/kit/createLogger.js';
import type { LbConfig } from './lbConfig.js';
import type { Registry } from './Registry.js';
import type { RoomPlacer } from './RoomPlacer.js';
import { registerRoomDirectoryRoutes } from './routes/roomDirectoryRoutes.js';
import { registerRegistryRoutes } from './routes/registryRoutes.js';
import { LiveListingFeed } from '../../src/kit/LiveListingFeed.js';
import { registerLiveListingRoutes } from '../../src/kit/liveListingRoutes.js';
import { mergeLiveRooms } from './liveListing.js';

/** Heartbeats carry every room of a server: room for about 50,000 of them. */
const BODY_LIMIT = 4 * 1024 * 1024;

/** The load balancer's HTTP app (https with TLS_CERT/TLS_KEY); listen() is the caller's. */
export function buildLbApp(config: LbConfig, registry: Registry, placer: RoomPlacer, logger: Logger): FastifyInstance {
  const app = buildHttpApp(config.tls, { bodyLimit: BODY_LIMIT });
  installErrorHandling(app, logger);
  app.get('/api/v1/', async () => ({ data: { app: 'loadbalancer', version: APP_VERSION } }));
  app.get('/health', async () => {
    const states = registry.list().map((entry) => entry.state);
    return { data: { status: 'ok', servers: states.length, available: states.filter((s) => s === 'available' || s === 'warning').length } };
  });
  registerRegistryRoutes(app, registry, config.key, config.heartbeatMs);
  // Registered before the directory: `/api/v1/rooms/live` is the listing, not a room named "live".
  const listLive = () => mergeLiveRooms(registry.list());
  const feed = new LiveListingFeed({ read: listLive, maxClients: config.liveEventsMaxClients, logger: logger.child({ feed: 'live-listing' }) });
  app.addHook('preClose', async () => feed.close());
  registerLiveListingRoutes(app, { list: listLive, feed, open: () => true });
  registerRoomDirectoryRoutes(app, registry, placer);
  return app;
}
