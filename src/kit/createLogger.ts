import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../contracts/logLevels.js';
import { CENSOR, REDACT_PATHS, scrubSecrets } from './redaction.js';

export type { Logger };

/** Each root logger's descendants, so a level change at run time reaches all of them. */
const families = new WeakMap<Logger, Set<WeakRef<Logger>>>();

export interface LoggerOptions {
  /** Values never to write (the process's keys), replaced wherever they appear in a line. */
  readonly secrets?: readonly string[];
  /** Where lines go; stdout by default. */
  readonly destination?: DestinationStream;
}

/**
 * The process's one logger: JSON lines on stdout. Components take child loggers
 * (`logger.child({ component: 'rooms' })`) so every line says where it came from. Tokens and
 * keys never reach a line (src/kit/redaction.ts).
 */
export function createLogger(level: LogLevel, bindings: Record<string, unknown> = {}, options: LoggerOptions = {}): Logger {
  const family = new Set<WeakRef<Logger>>();
  const out = options.destination ?? pino.destination({ dest: 1, sync: true });
  const secrets = options.secrets ?? [];
  const root = pino(
    {
      level,
      base: { pid: process.pid, ...bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      // pino copies the level into a child when it is made; remember children to change them later.
      onChild: (child) => family.add(new WeakRef(child)),
    },
    { write: (line: string) => out.write(scrubSecrets(line, secrets)) },
  );
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
