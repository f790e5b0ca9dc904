import { ConfigError } from '../../src/kit/envParsing.js';
import { listenOn } from '../../src/kit/listen.js';
import { createLogger } from '../../src/kit/createLogger.js';
import { exitIfNodeTooOld } from '../../src/kit/nodeVersion.js';
import { buildLbApp } from './buildLbApp.js';
import { loadLbConfig } from './lbConfig.js';
import { PLACEMENT_POLICIES } from './placementPolicies.js';
import { Registry } from './Registry.js';
import { RoomPlacer } from './RoomPlacer.js';

/** How long a graceful stop may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 5_000;

/** The load balancer: `npm run start:lb`. */
async function main(): Promise<void> {
  exitIfNodeTooOld();
  let config;
  try {
    config = loadLbConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, { role: 'loadbalancer' }, { secrets: [config.key] });
  const registry = new Registry({ ...config, policy: PLACEMENT_POLICIES[config.placement], logger: logger.child({ component: 'registry' }) });
  const app = buildLbApp(config, registry, new RoomPlacer(registry, logger), logger.child({ component: 'api' }));
  let port: number;
  try {
    port = await listenOn(app, config.port, 'PORT');
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  logger.info({ port, https: config.tls !== undefined, heartbeatMs: config.heartbeatMs, placement: config.placement }, 'loadbalancer ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'loadbalancer stopping');
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    registry.close();
    void app.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
