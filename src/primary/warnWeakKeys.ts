import type { Config } from '../config/Config.js';
import type { Logger } from '../kit/createLogger.js';

/**
 * One line per weak KEY / ADMIN_KEY (short, or an example from the docs): anyone can guess
 * those. NODE_ENV=production refuses them at load; elsewhere they work, with this warning.
 */
export function warnWeakKeys(config: Pick<Config, 'weakKeys'>, logger: Logger, stderr: NodeJS.WritableStream = process.stderr): void {
  for (const { variable, reason } of config.weakKeys) {
    const message = `${variable} ${reason}: anyone may guess it; set ${variable} to a long random string (NODE_ENV=production refuses it)`;
    if (logger.isLevelEnabled('warn')) logger.warn({ variable }, message);
    else stderr.write(`${message}\n`);
  }
}
