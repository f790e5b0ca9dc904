import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic, { type FastifyStaticOptions } from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { parseRoomName } from '../../kit/roomName.js';

/** public/ sits at the package root, two levels above this file in src/ and in dist/. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../../public/', import.meta.url));

/** Built files whose names carry a hash of their content (pages/build.ts): never change, cached for a year. */
const HASHED = `${path.sep}build${path.sep}chunks${path.sep}`;

/**
 * `public/` under `prefix`: the pages' scripts and styles (`build/`: the pages built by
 * `npm run build`), sent as the `.br` or `.gz` built beside them when the browser accepts it.
 * Hashed chunks are immutable; the rest is cached for 5 minutes.
 */
export function assetOptions(prefix: string): FastifyStaticOptions {
  return {
    root: PUBLIC_DIR,
    prefix,
    index: false,
    list: false,
    cacheControl: true,
    maxAge: '5m',
    preCompressed: true,
    setHeaders: (reply, file) => {
      if (file.includes(HASHED)) reply.header('cache-control', 'public, max-age=31536000, immutable');
    },
  };
}

/** The site's icon (an SVG), at the names browsers ask for on every page of both the public and the admin port. */
export const FAVICON_PATHS = ['/favicon.svg', '/favicon.ico'] as const;

export function registerFavicon(app: FastifyInstance): void {
  for (const route of FAVICON_PATHS) {
    app.get(route, (_request, reply) => reply.type('image/svg+xml').sendFile('favicon.svg', { maxAge: '1d' }));
  }
}

/**
 * The pages: `/` (rooms), `/watch/:room` (viewer), `/broadcast/:room` (producer), `/replay/:room/:id`
 * (a recording with its chat; the page reports an unknown id); their scripts
 * and styles under `/assets/` (hls.js is a chunk of the pages' build, from the installed package).
 */
export function registerPageRoutes(app: FastifyInstance): void {
  void app.register(fastifyStatic, assetOptions('/assets/'));
  app.get('/', (_request, reply) => reply.sendFile('index.html'));
  registerFavicon(app);
  for (const [route, file] of [['/watch/:room', 'watch.html'], ['/broadcast/:room', 'broadcast.html'], ['/replay/:room/:id', 'replay.html']] as const) {
    app.get<{ Params: { room: string } }>(route, (request, reply) => {
      parseRoomName(request.params.room);
      return reply.sendFile(file);
    });
  }
}
