import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { listenOn } from '../../src/kit/listen.js';

/** An app whose listen fails the way the OS would; the tests run as root, who may bind port 80. */
function failingApp(code: string): FastifyInstance {
  return { listen: () => Promise.reject(Object.assign(new Error(code), { code })) } as unknown as FastifyInstance;
}

describe('listenOn', () => {
  it('turns EACCES into one line that suggests another port', async () => {
    await expect(listenOn(failingApp('EACCES'), 80, 'PORT')).rejects.toThrow(
      'Invalid configuration: PORT=80 cannot be used: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE) (e.g. PORT=8080)',
    );
  });

  it('turns EADDRINUSE into one line naming the variable', async () => {
    await expect(listenOn(failingApp('EADDRINUSE'), 8090, 'ADMIN_PORT')).rejects.toThrow(
      'Invalid configuration: ADMIN_PORT=8090 is already in use by another program',
    );
  });

  it('resolves with the port bound: the system\'s pick for port 0', async () => {
    const app = Fastify();
    try {
      const port = await listenOn(app, 0, 'PORT');
      expect(port).toBe((app.server.address() as AddressInfo).port);
      expect(port).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});
