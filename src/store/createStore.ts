import type { Config } from '../config/Config.js';
import { EmbeddedStore } from './EmbeddedStore.js';
import { MongoStore } from './MongoStore.js';
import type { Store } from './Store.js';

/** MongoDB when MONGODB_URI is set, otherwise the embedded files in DATA_DIR. Not yet opened. */
export function createStore(config: Pick<Config, 'mongodbUri' | 'dataDir'>): Store {
  return config.mongodbUri ? new MongoStore(config.mongodbUri) : new EmbeddedStore(config.dataDir);
}
