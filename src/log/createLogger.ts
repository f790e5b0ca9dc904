import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/Config.js';

export type { Logger };

/**
 * The process's one logger: JSON lines on stdout. Components take child loggers
 * (`logger.child({ component: 'rooms' })`) so every line says where it came from.
 */
export function createLogger(level: LogLevel, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { pid: process.pid, ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['key', 'adminKey', 'headers["x-api-key"]', 'req.headers["x-api-key"]'], censor: '[redacted]' },
  });
}
