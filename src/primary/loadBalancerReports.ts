import { randomUUID } from 'node:crypto';
import { APP_VERSION } from '../kit/appInfo.js';
import type { Config } from '../config/Config.js';
import { LoadBalancerClient } from '../lb-client/LoadBalancerClient.js';
import type { HealthReport } from '../contracts/lbWire.js';
import type { MachineLoad } from '../lb-client/serverLoad.js';
import type { Logger } from '../kit/createLogger.js';
import type { RoomEntry } from './RoomEntry.js';
import { liveRoom } from '../kit/liveListing.js';

/** What the load balancers are told at each heartbeat: accepting or draining, the machine's load, every room with its clients as last reported (live ones as listings show them, on `host`). */
export function healthReport(accepting: boolean, rooms: readonly RoomEntry[], machine: MachineLoad, host: string): HealthReport {
  return {
    status: accepting ? 'available' : 'draining',
    accepting,
    load: { ...machine.read(), rooms: rooms.length, clients: rooms.reduce((sum, room) => sum + room.clients, 0) },
    // `listing` is what the load balancers' live listing shows; older load balancers ignore it.
    rooms: rooms.map((room) => ({ name: room.name, port: room.port, clients: room.clients, live: room.live, ...(room.live && room.status === 'open' ? { listing: liveRoom(room, host) } : {}) })),
  };
}

/**
 * Registers with every load balancer in LOADBALANCERS and starts the heartbeats; undefined when
 * there are none. `bound`: the API ports listened on (PORT=0 lets the system pick one).
 */
export function startLoadBalancerClient(config: Config, bound: { port: number; adminPort: number }, logger: Logger, report: () => HealthReport): LoadBalancerClient | undefined {
  const { loadBalancers, loadBalancerKey, publicHost, tls, workers } = config;
  const { adminPort } = bound;
  const advertiseUrl = config.port === 0 ? config.advertiseUrl.replace(/:0$/, `:${bound.port}`) : config.advertiseUrl;
  if (loadBalancers.length === 0 || !loadBalancerKey) return undefined;
  const client = new LoadBalancerClient({
    urls: loadBalancers,
    key: loadBalancerKey,
    registration: {
      id: randomUUID(),
      url: advertiseUrl,
      adminUrl: `${tls ? 'https' : 'http'}://${new URL(advertiseUrl).hostname}:${adminPort}`,
      host: publicHost,
      workers,
      version: APP_VERSION,
    },
    report: () => Promise.resolve(report()),
    logger,
  });
  client.start();
  return client;
}
