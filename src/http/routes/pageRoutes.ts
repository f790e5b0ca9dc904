import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { parseRoomName } from '../../kit/roomName.js';

/** public/ sits at the package root, two levels above this file in src/ and in dist/. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../../public/', import.meta.url));

/** hls.js comes from the installed package (never a CDN), at the version package-lock pins. */
const HLS_JS_DIST = path.dirname(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.mjs'));

/**
 * The pages: `/` (rooms), `/watch/:room` (viewer), `/broadcast/:room` (producer), `/replay/:room/:id`
 * (a recording with its chat; the page reports an unknown id); their scripts
 * and styles under `/assets/`, hls.js under `/assets/vendor/`.
 */
export function registerPageRoutes(app: FastifyInstance): void {
  void app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/assets/', index: false, list: false, cacheControl: true, maxAge: '5m' });
  app.get('/', (_request, reply) => reply.sendFile('index.html'));
  app.get('/assets/vendor/hls.min.mjs', (_request, reply) => reply.sendFile('hls.min.mjs', HLS_JS_DIST, { maxAge: '1h' }));
  for (const [route, file] of [['/watch/:room', 'watch.html'], ['/broadcast/:room', 'broadcast.html'], ['/replay/:room/:id', 'replay.html']] as const) {
    app.get<{ Params: { room: string } }>(route, (request, reply) => {
      parseRoomName(request.params.room);
      return reply.sendFile(file);
    });
  }
}
