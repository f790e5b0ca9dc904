import type { FastifyInstance } from 'fastify';
import { requireApiKey } from '../../../src/kit/apiKey.js';
import { ApiError } from '../../../src/kit/errors.js';
import { healthBody, parseBody, registrationBody } from '../bodies.js';
import type { Registry } from '../Registry.js';
import type { ServerRecord, RegisteredServerState } from '../serverRecord.js';

type IdParams = { Params: { id: string } };

function serverView(server: ServerRecord, state: RegisteredServerState) {
  return {
    id: server.id,
    state,
    url: server.url,
    adminUrl: server.adminUrl,
    host: server.host,
    workers: server.workers,
    version: server.version,
    load: server.load,
    rooms: server.rooms.length,
    registeredAt: new Date(server.registeredAt).toISOString(),
    lastSeen: new Date(server.lastSeen).toISOString(),
  };
}

/** The registry side: chat servers register, report health and leave (writes need LOADBALANCER_KEY). */
export function registerRegistryRoutes(app: FastifyInstance, registry: Registry, key: string, heartbeatMs: number): void {
  const requireKey = requireApiKey(key);

  app.post('/api/v1/servers', { onRequest: requireKey }, async (request, reply) => {
    const server = registry.register(parseBody(registrationBody, request.body));
    return reply.code(201).send({ data: { id: server.id, heartbeatMs } });
  });

  app.put<IdParams>('/api/v1/servers/:id/health', { onRequest: requireKey }, async (request) => {
    const server = registry.heartbeat(request.params.id, parseBody(healthBody, request.body));
    if (!server) throw new ApiError('SERVER_NOT_FOUND');
    return { data: { id: server.id, state: registry.state(server), heartbeatMs } };
  });

  app.delete<IdParams>('/api/v1/servers/:id', { onRequest: requireKey }, async (request) => {
    if (!registry.deregister(request.params.id)) throw new ApiError('SERVER_NOT_FOUND');
    return { data: { id: request.params.id, message: 'Server removed' } };
  });

  app.get('/api/v1/servers', async () => ({ data: registry.list().map(({ server, state }) => serverView(server, state)) }));
}
