import type { AddressInfo, Server } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from './envParsing.js';

/** The variables that name a port this process listens on. */
export type PortVariable = 'PORT' | 'ADMIN_PORT' | 'RTMP_PORT';

/**
 * Listens on every interface and resolves with the port bound (the system's pick for port 0).
 * A port the process may not use or that is taken becomes a ConfigError naming the variable, so
 * the start stops with one clear line.
 */
export async function listenOn(app: FastifyInstance, port: number, variable: PortVariable): Promise<number> {
  return listenWith((host, ipv6Only) => app.listen({ port, host, ipv6Only }).then(() => (app.server.address() as AddressInfo).port), port, variable);
}

/** listenOn for a plain net.Server (the shared RTMP port). */
export async function listenServer(server: Server, port: number, variable: PortVariable): Promise<number> {
  const listen = (host: string, ipv6Only: boolean) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen({ port, host, ipv6Only }, () => {
        server.off('error', onError);
        resolve((server.address() as AddressInfo).port);
      });
    });
  return listenWith(listen, port, variable);
}

async function listenWith(listen: (host: string, ipv6Only: boolean) => Promise<number>, port: number, variable: PortVariable): Promise<number> {
  try {
    return await listen('::', false);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EAFNOSUPPORT') return listen('0.0.0.0', false);
    if (code === 'EACCES') {
      throw new ConfigError(`${variable}=${port}`, 'cannot be used: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)', `e.g. ${variable}=${port === 80 ? 8080 : port + 8000}`);
    }
    if (code === 'EADDRINUSE') {
      throw new ConfigError(`${variable}=${port}`, 'is already in use by another program', `stop it or choose another ${variable}`);
    }
    throw error;
  }
}
