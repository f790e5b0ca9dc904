import type { Config } from '../config/Config.js';
import type { Logger } from '../log/createLogger.js';
import { MongoStore } from './MongoStore.js';
import type { Store } from './Store.js';
import { SqliteStore } from './sqlite/SqliteStore.js';

/** MongoDB when MONGODB_URI is set, otherwise the embedded SQLite file in DATA_DIR. Not yet opened. */
export function createStore(config: Pick<Config, 'mongodbUri' | 'dataDir'>, logger?: Logger): Store {
  return config.mongodbUri ? new MongoStore(config.mongodbUri) : new SqliteStore(config.dataDir, { logger });
}
