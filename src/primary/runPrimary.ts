import type { Config } from '../config/Config.js';
import { ConfigError } from '../config/loadConfig.js';
import { createLogger } from '../kit/createLogger.js';
import { DatabaseOpenError } from '../store/sqlite/openDatabase.js';
import { announceGeneratedKeys } from './announceGeneratedKeys.js';
import { Primary } from './Primary.js';
import type { StartApis } from './PrimaryServices.js';
import { warnWeakKeys } from './warnWeakKeys.js';

/** A shutdown that takes longer than this is cut short so the process never hangs on exit. */
const SHUTDOWN_DEADLINE_MS = 15_000;

/**
 * The keys an operator set, scrubbed from every log line. Generated keys are left out: their one
 * announcement at start is how the operator learns them.
 */
function configuredSecrets(config: Config): string[] {
  const secrets = [config.loadBalancerKey ?? ''];
  if (!config.generatedKeys.includes('KEY')) secrets.push(config.key);
  if (!config.generatedKeys.includes('ADMIN_KEY')) secrets.push(config.adminKey);
  return secrets.filter(Boolean);
}

/**
 * Entry point of the primary process: start (with the APIs `startApis` starts), then run until a
 * close (SIGTERM / SIGINT, or the admin API's shutdown, which calls Primary.close too), and exit
 * when it is done.
 */
export async function runPrimary(config: Config, startApis: StartApis): Promise<void> {
  const logger = createLogger(config.logLevel, { role: 'primary' }, { secrets: configuredSecrets(config) });
  announceGeneratedKeys(config, logger);
  warnWeakKeys(config, logger);
  const primary = new Primary(config, logger, startApis);

  let signals = 0;
  const onSignal = (signal: string) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    void primary.close(signal).catch(() => undefined);
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

  // However a close was asked for (a signal, the admin API, a failed start), the process ends with it.
  let startFailed = false;
  void primary.closing.then(async (reason) => {
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    try {
      await primary.close(reason);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
    process.exit(startFailed ? 1 : 0);
  });

  try {
    await primary.start();
  } catch (error) {
    startFailed = true;
    // One clear line for the operator. A bug gets its details (the stack) in the log; a setting or
    // a data file the operator must fix is said in that line alone.
    process.stderr.write(`${(error as Error).message}\n`);
    if (error instanceof DatabaseOpenError) logger.fatal({ reason: error.message }, 'start failed');
    else if (!(error instanceof ConfigError)) logger.fatal({ err: error }, 'start failed');
    await primary.close('start failed').catch(() => undefined);
    process.exit(1);
  }
}
