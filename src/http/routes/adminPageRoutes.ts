import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { assetOptions, FAVICON_PATHS, registerFavicon } from './pageRoutes.js';

const PAGE = '/admin';
const ASSETS = '/admin/assets/';

/** The admin page, its scripts and the icon need no key (the page asks for it); every API route does. */
export function isAdminPage(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  return path === PAGE || path.startsWith(ASSETS) || (FAVICON_PATHS as readonly string[]).includes(path);
}

/** `/admin` on the admin port: the admin console (pages/src/admin/). */
export function registerAdminPage(app: FastifyInstance): void {
  void app.register(fastifyStatic, assetOptions(ASSETS));
  app.get(PAGE, (_request, reply) => reply.sendFile('admin.html'));
  registerFavicon(app);
}
