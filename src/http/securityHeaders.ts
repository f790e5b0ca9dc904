import type { FastifyInstance } from 'fastify';

/** Sent with every answer of the public and admin apps: pages, their assets and the JSON API. */
export const SECURITY_HEADERS = {
  // Answers are what their Content-Type says: a JSON body or an upload is never run as a script.
  'x-content-type-options': 'nosniff',
  // For browsers without CSP frame-ancestors: no page (the admin page least of all) in a frame.
  'x-frame-options': 'DENY',
  // Page URLs may carry a join token (`?token=`): no request a page makes repeats it in Referer.
  'referrer-policy': 'no-referrer',
} as const;

/** Adds SECURITY_HEADERS to every answer, errors and 404s included; install before any route or hook. */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
}
