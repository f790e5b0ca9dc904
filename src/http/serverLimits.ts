/** Limits shared by the public and admin listeners: small bodies, no slow clients holding sockets. */
export function serverLimits() {
  return {
    bodyLimit: 64 * 1024,
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    forceCloseConnections: 'idle' as const,
    logger: false,
  };
}
