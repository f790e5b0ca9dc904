import type { Config } from '../config/Config.js';
import { createLogger } from '../log/createLogger.js';
import { workerSideChannel } from '../ipc/endpoints.js';
import { RoomWorker } from './RoomWorker.js';
import { WorkerChat } from './WorkerChat.js';
import { WorkerMedia } from './WorkerMedia.js';
import { newWorkerCounters } from './WorkerCounters.js';
import { ConnectionLimiter } from './ConnectionLimiter.js';
import { AddressRanges } from '../net/addresses.js';
import { ClientAddresses } from '../net/clientAddress.js';

/** How long a worker whose primary vanished may take to close its rooms before it exits anyway. */
const ORPHAN_EXIT_MS = 3_000;

/** Entry point of a room worker process (a node:cluster worker). */
export async function startWorker(config: Config, slot: string): Promise<void> {
  const logger = createLogger(config.logLevel, { role: 'worker', worker: Number(slot) });
  const channel = workerSideChannel();
  const counters = newWorkerCounters();
  const addresses = new ClientAddresses(new AddressRanges(config.trustProxy));
  const limiter = new ConnectionLimiter(config.maxConnectionsPerIp);
  const chat = new WorkerChat(config, channel, logger, counters);
  const media = new WorkerMedia(config, logger, counters);
  const worker = new RoomWorker(channel, chat, media, counters, limiter, config.roomRequestTimeoutMs, logger, addresses);

  // The primary coordinates shutdown: a Ctrl-C reaches the whole process group, and workers
  // that left on their own would race the primary's orderly close.
  process.on('SIGINT', () => logger.debug('SIGINT ignored: the primary coordinates shutdown'));
  process.on('SIGTERM', () => logger.debug('SIGTERM ignored: the primary coordinates shutdown'));

  // No primary, no worker: an orphan would keep holding room ports.
  process.on('disconnect', () => {
    if (worker.closed) process.exit(0);
    logger.warn('primary disconnected; closing rooms and exiting');
    setTimeout(() => process.exit(1), ORPHAN_EXIT_MS).unref();
    void worker.close('primary gone').finally(() => process.exit(0));
  });
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
