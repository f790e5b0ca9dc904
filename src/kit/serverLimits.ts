import http from 'node:http';
import https from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';

const CONNECTION_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Limits shared by the public, admin and load balancer listeners: small bodies, no slow clients holding sockets. */
export function serverLimits() {
  return {
    bodyLimit: 64 * 1024,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    forceCloseConnections: 'idle' as const,
    logger: false,
  };
}

/**
 * A fastify app on its own node:http (or https) server: headers must arrive within 10 s and
 * the timeouts are checked every second (Node checks every 30 s by default), so slowloris-style
 * clients are cut on time. `listen()` stays with the caller.
 */
export function buildHttpApp(tls: { cert: string; key: string } | undefined, overrides: { bodyLimit?: number } = {}): FastifyInstance {
  const serverOptions = { connectionsCheckingInterval: 1_000, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS };
  const app = Fastify({
    ...serverLimits(),
    ...overrides,
    serverFactory: (handler) => {
      const server = tls ? https.createServer({ ...serverOptions, cert: tls.cert, key: tls.key }, handler) : http.createServer(serverOptions, handler);
      server.setTimeout(CONNECTION_TIMEOUT_MS);
      return server as http.Server;
    },
  });
  return app as unknown as FastifyInstance;
}
