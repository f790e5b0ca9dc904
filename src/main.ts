import cluster from 'node:cluster';
import { ConfigError, loadConfig, WORKER_TOKEN_KEY_ENV } from './config/loadConfig.js';
import type { Config } from './config/Config.js';
import { exitIfNodeTooOld } from './kit/nodeVersion.js';

exitIfNodeTooOld();

/** One entry point: the cluster primary, or a room worker forked by it. */
function readConfig(): Config {
  try {
    return loadConfig(process.env, cluster.isPrimary ? 'primary' : 'worker');
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
// A worker's token key came from the primary in its environment: drop it there so no child
// process (ffmpeg) inherits it.
delete process.env[WORKER_TOKEN_KEY_ENV];
// Each role loads only its own modules: a worker never loads the MongoDB driver (whose BSON
// serializer alone reserves 17 MB), the admin API or the metrics registry.
if (cluster.isPrimary) {
  const { runPrimary } = await import('./primary/runPrimary.js');
  // The APIs speak for the primary: handed over here, so neither primary/ nor http/ imports the other.
  const { startApis } = await import('./http/startApis.js');
  await runPrimary(config, startApis);
} else {
  const { startWorker } = await import('./worker/startWorker.js');
  await startWorker(config, process.env.CHATSERVER_WORKER_SLOT ?? '0');
}
