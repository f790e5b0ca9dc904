import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from './envParsing.js';

/**
 * Listens on every interface and resolves with the port bound (the system's pick for port 0).
 * A port the process may not use or that is taken becomes a ConfigError naming the variable, so
 * the start stops with one clear line.
 */
export async function listenOn(app: FastifyInstance, port: number, variable: 'PORT' | 'ADMIN_PORT'): Promise<number> {
  try {
    await app.listen({ port, host: '::', ipv6Only: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EAFNOSUPPORT') {
      await app.listen({ port, host: '0.0.0.0' });
      return (app.server.address() as AddressInfo).port;
    }
    if (code === 'EACCES') {
      throw new ConfigError(`${variable}=${port}`, 'cannot be used: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)', `e.g. ${variable}=${port === 80 ? 8080 : port + 8000}`);
    }
    if (code === 'EADDRINUSE') {
      throw new ConfigError(`${variable}=${port}`, 'is already in use by another program', `stop it or choose another ${variable}`);
    }
    throw error;
  }
  return (app.server.address() as AddressInfo).port;
}
