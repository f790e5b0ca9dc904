import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { parseRoomName } from '../roomName.js';

/** public/ sits at the package root, two levels above this file in src/ and in dist/. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../../public/', import.meta.url));

/** The pages: `/` (rooms), `/watch/:room` (viewer); their scripts and styles under `/assets/`. */
export function registerPageRoutes(app: FastifyInstance): void {
  void app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/assets/', index: false, list: false, cacheControl: true, maxAge: '5m' });
  app.get('/', (_request, reply) => reply.sendFile('index.html'));
  app.get<{ Params: { room: string } }>('/watch/:room', (request, reply) => {
    parseRoomName(request.params.room);
    return reply.sendFile('watch.html');
  });
}
