import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../AppContext.js';
import { parseRoomName } from '../../kit/roomName.js';

type NameParams = { Params: { name: string } };

/** Admin routes for a room's stored history: export it as NDJSON, delete it. */
export function registerAdminHistoryRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get<NameParams>('/api/v1/room/:name/history/export', async (request, reply) => {
    const room = parseRoomName(request.params.name);
    const chunks = await ctx.history.export(room);
    // Readable.from pulls the next page only when the client has taken the previous one.
    return reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="${room}-history.ndjson"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(chunks, { objectMode: false }));
  });

  app.delete<NameParams>('/api/v1/room/:name/history', async (request) => {
    const room = parseRoomName(request.params.name);
    return { data: { room, deleted: await ctx.history.delete(room) } };
  });
}
