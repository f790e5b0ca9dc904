import type { Config } from '../config/Config.js';
import type { Logger } from '../kit/createLogger.js';

/**
 * Tells the operator, once, the keys generated for an unset KEY / ADMIN_KEY. Without them
 * nobody could use the APIs, so when the log level hides warnings (production's `fatal`)
 * the line goes to stderr instead.
 */
export function announceGeneratedKeys(config: Config, logger: Logger, stderr: NodeJS.WritableStream = process.stderr): void {
  for (const variable of config.generatedKeys) {
    const value = variable === 'KEY' ? config.key : config.adminKey;
    const message = `${variable} was not set; generated one for this run: ${value} (set ${variable} to keep a key across restarts)`;
    if (logger.isLevelEnabled('warn')) logger.warn({ variable, generatedKey: value }, message);
    else stderr.write(`${message}\n`);
  }
}
