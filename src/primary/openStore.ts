import type { Logger } from '../kit/createLogger.js';
import type { Store } from '../store/Store.js';
import { DatabaseOpenError } from '../store/sqlite/openDatabase.js';

/**
 * Opens the store at start. An embedded store that cannot open is a configuration problem: the
 * start fails. An unreachable MongoDB is an outage: the server starts without it (false).
 */
export async function openStore(store: Store, dataDir: string, logger: Logger): Promise<boolean> {
  try {
    await store.open();
  } catch (error) {
    // A damaged or unwritable local file (the SQLite store, or MongoDB's journal) is the
    // operator's to fix, whatever the store: its message says which file and what to do.
    if (error instanceof DatabaseOpenError) throw error;
    if (store.health) {
      logger.error({ err: error }, 'MongoDB unreachable at start: serving without it (defaults, no stored rooms yet, writes to the local journal); retrying every 2 s');
      store.health.startDown(error as Error);
      return false;
    }
    throw new Error(`Cannot open the ${store.kind} store at DATA_DIR (${dataDir}): ${(error as Error).message}`, { cause: error });
  }
  logger.info({ store: store.kind }, 'store open');
  return true;
}
