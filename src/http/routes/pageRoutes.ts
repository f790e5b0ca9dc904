import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/Config.js';
import { roomPagePolicy } from '../contentSecurityPolicy.js';
import { parseRoomName } from '../roomName.js';

/** public/ sits at the package root, two levels above this file in src/ and in dist/. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../../public/', import.meta.url));

/** hls.js comes from the installed package (never a CDN), at the version package-lock pins. */
const HLS_JS_DIST = path.dirname(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.mjs'));

/**
 * The pages: `/` (rooms), `/watch/:room` (viewer), `/broadcast/:room` (producer); their scripts
 * and styles under `/assets/`, hls.js under `/assets/vendor/`. Each page carries a strict CSP.
 */
export function registerPageRoutes(app: FastifyInstance, config: Pick<Config, 'publicHost' | 'roomPorts'>): void {
  // The pages reach the room ports by the host name they were loaded from (room-page.js).
  const policyFor = (request: FastifyRequest) => roomPagePolicy([request.hostname, config.publicHost], config.roomPorts);
  void app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/assets/', index: false, list: false, cacheControl: true, maxAge: '5m' });
  app.get('/', (request, reply) => reply.header('content-security-policy', policyFor(request)).sendFile('index.html'));
  app.get('/assets/vendor/hls.min.mjs', (_request, reply) => reply.sendFile('hls.min.mjs', HLS_JS_DIST, { maxAge: '1h' }));
  for (const [route, file] of [['/watch/:room', 'watch.html'], ['/broadcast/:room', 'broadcast.html']] as const) {
    app.get<{ Params: { room: string } }>(route, (request, reply) => {
      parseRoomName(request.params.room);
      return reply.header('content-security-policy', policyFor(request)).sendFile(file);
    });
  }
}
