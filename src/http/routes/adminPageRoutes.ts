import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { assetOptions } from './pageRoutes.js';

const PAGE = '/admin';
const ASSETS = '/admin/assets/';

/** The admin page and its scripts need no key (the page asks for it); every API route does. */
export function isAdminPage(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  return path === PAGE || path.startsWith(ASSETS);
}

/** `/admin` on the admin port: rooms and server state, with close, message, kick and drain. */
export function registerAdminPage(app: FastifyInstance): void {
  void app.register(fastifyStatic, assetOptions(ASSETS));
  app.get(PAGE, (_request, reply) => reply.sendFile('admin.html'));
}
