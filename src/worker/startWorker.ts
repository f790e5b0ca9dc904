import type { Config } from '../config/Config.js';
import { createLogger } from '../kit/createLogger.js';
import { workerSideChannel } from '../ipc/endpoints.js';
import { RoomWorker } from './RoomWorker.js';
import { WorkerChat } from './WorkerChat.js';
import { WorkerMedia } from './WorkerMedia.js';
import { ZERO_WORKER_COUNTERS, type WorkerCounters } from '../contracts/WorkerCounters.js';
import { ConnectionLimiter } from '../net/ConnectionLimiter.js';
import { AddressRanges } from '../net/addresses.js';
import { ClientAddresses } from '../net/clientAddress.js';
import { makeUdpBindsExclusive } from './exclusiveUdp.js';

/** Entry point of a room worker process (a node:cluster worker). */
export async function startWorker(config: Config, slot: string): Promise<void> {
  makeUdpBindsExclusive();
  const logger = createLogger(config.logLevel, { role: 'worker', worker: Number(slot) });
  const channel = workerSideChannel();
  const counters: WorkerCounters = { ...ZERO_WORKER_COUNTERS };
  const addresses = new ClientAddresses(new AddressRanges(config.trustProxy));
  const limiter = new ConnectionLimiter(config.maxConnectionsPerIp);
  const chat = new WorkerChat(config, channel, logger, counters);
  const media = new WorkerMedia(config, logger, counters);
  const worker = new RoomWorker(channel, chat, media, counters, limiter, config.roomRequestTimeoutMs, logger, addresses);

  // The primary coordinates shutdown: a Ctrl-C reaches the whole process group, and workers
  // that left on their own would race the primary's orderly close.
  process.on('SIGINT', () => logger.debug('SIGINT ignored: the primary coordinates shutdown'));
  process.on('SIGTERM', () => logger.debug('SIGTERM ignored: the primary coordinates shutdown'));

  // No primary, no worker: node:cluster itself exits a worker (code 0) the moment the IPC
  // channel to its primary closes, before any handler of ours could run, so no orphan keeps a
  // room port; its clients see their sockets drop (1006) and reconnect once the rooms are back.
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception in worker; exiting so the primary replaces it');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection in worker');
  });

  await worker.start();
  logger.info('worker ready');
}
