/**
 * pino's levels plus `silent`: what LOG_LEVEL takes, what the admin API's log-level route
 * accepts and what the primary sends its workers (`worker.logLevel`).
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];
