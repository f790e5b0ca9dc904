import type { Config } from '../config/Config.js';
import type { Logger } from '../kit/createLogger.js';
import { JournaledStore } from './journal/JournaledStore.js';
import { LocalJournal } from './journal/LocalJournal.js';
import { isMongoOutage } from './isMongoOutage.js';
import { MongoStore } from './MongoStore.js';
import type { Store } from './Store.js';
import { SqliteStore } from './sqlite/SqliteStore.js';

/**
 * MongoDB when MONGODB_URI is set (with a local journal in DATA_DIR that takes its writes while
 * it is unreachable, and only then: a write MongoDB refuses is not an outage), otherwise the
 * embedded SQLite file in DATA_DIR. Not yet opened.
 */
export function createStore(config: Pick<Config, 'mongodbUri' | 'dataDir' | 'storeJournalMaxEntries'>, logger: Logger): Store {
  if (!config.mongodbUri) return new SqliteStore(config.dataDir, { logger });
  return new JournaledStore(new MongoStore(config.mongodbUri), new LocalJournal(config.dataDir, config.storeJournalMaxEntries), logger, { isOutage: isMongoOutage });
}
