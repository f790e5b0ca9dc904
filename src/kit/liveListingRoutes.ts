import type { FastifyInstance } from 'fastify';
import type { LiveRoom } from '../contracts/lbWire.js';
import { ApiError } from './errors.js';
import { etagOf, matchesEtag } from './liveListing.js';
import type { LiveListingFeed } from './LiveListingFeed.js';

export interface LiveListingSource<T extends LiveRoom> {
  /** The live rooms, sorted. */
  readonly list: () => readonly T[];
  readonly feed: LiveListingFeed<T>;
  /** False while the server drains: the feed takes no new clients (they go to another server). */
  readonly open: () => boolean;
}

/**
 * `GET /api/v1/rooms/live` (JSON with an ETag; 304 for a matching If-None-Match) and its
 * Server-Sent Events variant `/api/v1/rooms/live/events`, for a chat server's public API and for
 * the load balancer alike. Public data, so any site's listing page may read it (CORS `*`).
 */
export function registerLiveListingRoutes<T extends LiveRoom>(app: FastifyInstance, source: LiveListingSource<T>): void {
  app.get('/api/v1/rooms/live', async (request, reply) => {
    const body = JSON.stringify({ data: source.list() });
    const etag = etagOf(body);
    reply.header('etag', etag).header('cache-control', 'no-cache').header('access-control-allow-origin', '*');
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.get('/api/v1/rooms/live/events', async (request, reply) => {
    if (!source.open()) throw new ApiError('NOT_ACCEPTING', 'The server is draining: follow the live listing on another server');
    if (source.feed.full) {
      reply.header('retry-after', '5');
      throw new ApiError('LIVE_FEED_FULL');
    }
    const lastEventId = request.headers['last-event-id'];
    reply.hijack();
    source.feed.follow(reply.raw, typeof lastEventId === 'string' ? lastEventId : undefined);
  });
}
