import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../../src/kit/errors.js';
import { parseRoomName } from '../../../src/kit/roomName.js';
import type { Registry } from '../Registry.js';
import { UpstreamAnswer, type RoomPlacer } from '../RoomPlacer.js';

type NameParams = { Params: { name: string } };

/** The directory (listing and lookup, for sites and pages) and placement of new rooms. */
export function registerRoomDirectoryRoutes(app: FastifyInstance, registry: Registry, placer: RoomPlacer): void {
  app.get('/api/v1/rooms', async () => ({ data: registry.rooms() }));

  app.get<NameParams>('/api/v1/rooms/:name', async (request) => {
    const room = registry.room(parseRoomName(request.params.name));
    if (!room) throw new ApiError('ROOM_NOT_FOUND');
    return { data: room };
  });

  // The caller's X-API-Key is the chat servers' KEY; it is passed on, and they check it.
  app.post<NameParams>('/api/v1/rooms/:name', async (request, reply) => {
    const name = parseRoomName(request.params.name);
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || key.length === 0) throw new ApiError('UNAUTHORIZED', 'Missing X-API-Key header (the chat servers\' KEY)');
    try {
      const placed = await placer.place(name, key, request.body ?? undefined);
      return reply.code(placed.created ? 201 : 200).send({ data: { ...placed.room, message: placed.message } });
    } catch (error) {
      if (error instanceof UpstreamAnswer) return reply.code(error.status).send(error.body ?? { error: { code: 'UPSTREAM_FAILED', message: 'The chat server refused' } });
      throw error;
    }
  });
}
