import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../kit/createLogger.js';
import { liveRooms } from '../../kit/liveListing.js';
import { LiveListingFeed } from '../../kit/LiveListingFeed.js';
import { registerLiveListingRoutes } from '../../kit/liveListingRoutes.js';
import type { AppContext } from '../AppContext.js';

/**
 * The live listing of this server (docs/api.md, "Live listing"): its rooms that are live and
 * open, from what their workers last reported, and the Server-Sent Events feed of it, whose
 * streams end when the API closes.
 */
export function registerLiveRoutes(app: FastifyInstance, ctx: AppContext, logger: Logger): void {
  const list = () => liveRooms(ctx.rooms.list().filter((room) => room.status === 'open'), ctx.config.publicHost);
  const open = () => ctx.state.accepting;
  const feed = new LiveListingFeed({ read: list, open, maxClients: ctx.config.liveEventsMaxClients, logger: logger.child({ feed: 'live-listing' }) });
  app.addHook('preClose', async () => feed.close());
  registerLiveListingRoutes(app, { list, feed, open });
}
