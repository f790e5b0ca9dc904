import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../AppContext.js';
import { ApiError } from '../../kit/errors.js';
import { parseRoomName } from '../../kit/roomName.js';
import { adminRoomView, roomViewContext } from '../roomViews.js';

type NameParams = { Params: { name: string } };

/** Admin routes (the whole admin app sits behind ADMIN_KEY). */
export function registerAdminRoutes(app: FastifyInstance, ctx: AppContext, workerPid: (slot: number) => number | undefined): void {
  app.get('/api/v1/rooms', async () => {
    const context = await roomViewContext(ctx);
    return { data: ctx.rooms.list().map((room) => adminRoomView(room, workerPid(room.slot), context)) };
  });

  app.delete<NameParams>('/api/v1/room/:name', async (request) => {
    const name = parseRoomName(request.params.name);
    if (!(await ctx.rooms.remove(name, 'closed by an operator'))) throw new ApiError('ROOM_NOT_FOUND');
    return { data: { name, message: 'Room closed' } };
  });

  app.get('/api/v1/stats', async () => ({ data: await ctx.stats() }));

  app.get('/metrics', async (_request, reply) => {
    const { contentType, text } = await ctx.metrics();
    return reply.type(contentType).send(text);
  });
}
