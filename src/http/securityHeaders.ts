import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Sent with every answer of the public and admin apps: pages, their assets and the JSON API. */
export const SECURITY_HEADERS = {
  // Answers are what their Content-Type says: a JSON body or an upload is never run as a script.
  'x-content-type-options': 'nosniff',
  // For browsers without CSP frame-ancestors: no page (the admin page least of all) in a frame.
  'x-frame-options': 'DENY',
  // Page URLs may carry a join token (`?token=`): no request a page makes repeats it in Referer.
  'referrer-policy': 'no-referrer',
} as const;

/**
 * Adds SECURITY_HEADERS to every answer (errors and 404s included) and `pagePolicy` as the
 * Content-Security-Policy of every HTML answer, whichever route or static path served it.
 * Install before any route or plugin, so every context inherits the hooks.
 */
export function installSecurityHeaders(app: FastifyInstance, pagePolicy: (request: FastifyRequest) => string): void {
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) reply.header('content-security-policy', pagePolicy(request));
    return payload;
  });
}
