import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './config/loadConfig.js';
import type { Config } from './config/Config.js';
import { runPrimary } from './primary/runPrimary.js';
import { startWorker } from './worker/startWorker.js';

/** One entry point: the cluster primary, or a room worker forked by it. */
function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
if (cluster.isPrimary) {
  await runPrimary(config);
} else {
  await startWorker(config, process.env.CHATSERVER_WORKER_SLOT ?? '0');
}
