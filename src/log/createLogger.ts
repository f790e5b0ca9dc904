import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/Config.js';

export type { Logger };

/** Each root logger's descendants, so a level change at run time reaches all of them. */
const families = new WeakMap<Logger, Set<WeakRef<Logger>>>();

/**
 * The process's one logger: JSON lines on stdout. Components take child loggers
 * (`logger.child({ component: 'rooms' })`) so every line says where it came from.
 */
export function createLogger(level: LogLevel, bindings: Record<string, unknown> = {}): Logger {
  const family = new Set<WeakRef<Logger>>();
  const root = pino({
    level,
    base: { pid: process.pid, ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['key', 'adminKey', 'headers["x-api-key"]', 'req.headers["x-api-key"]'], censor: '[redacted]' },
    // pino copies the level into a child when it is made; remember children to change them later.
    onChild: (child) => family.add(new WeakRef(child)),
  });
  families.set(root, family);
  return root;
}

/** Changes the level of a root logger and of every child it has made (the admin API's log level). */
export function setLogLevel(root: Logger, level: LogLevel): void {
  root.level = level;
  const family = families.get(root);
  if (!family) return;
  for (const ref of family) {
    const child = ref.deref();
    if (child) child.level = level;
    else family.delete(ref);
  }
}
