import { randomUUID } from 'node:crypto';
import { APP_VERSION } from '../appInfo.js';
import type { Config } from '../config/Config.js';
import { LoadBalancerClient } from '../lb-client/LoadBalancerClient.js';
import type { HealthReport } from '../lb-client/lbWire.js';
import type { MachineLoad } from '../lb-client/serverLoad.js';
import type { Logger } from '../log/createLogger.js';
import type { RoomEntry } from './RoomEntry.js';

/** What the load balancers are told at each heartbeat: accepting or draining, the machine's load, every room with its clients as last reported. */
export function healthReport(accepting: boolean, rooms: readonly RoomEntry[], machine: MachineLoad): HealthReport {
  return {
    status: accepting ? 'available' : 'draining',
    accepting,
    load: { ...machine.read(), rooms: rooms.length, clients: rooms.reduce((sum, room) => sum + room.clients, 0) },
    rooms: rooms.map((room) => ({ name: room.name, port: room.port, clients: room.clients, live: room.live })),
  };
}

/** Registers with every load balancer in LOADBALANCERS and starts the heartbeats; undefined when there are none. */
export function startLoadBalancerClient(config: Config, logger: Logger, report: () => HealthReport): LoadBalancerClient | undefined {
  const { loadBalancers, loadBalancerKey, publicHost, advertiseUrl, adminPort, tls, workers } = config;
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
