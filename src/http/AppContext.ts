import type { Config } from '../config/Config.js';
import type { Logger } from '../kit/createLogger.js';
import type { ChatAdmin } from '../primary/ChatAdmin.js';
import type { HistoryAdmin } from '../primary/HistoryAdmin.js';
import type { StoreBackups } from '../primary/StoreBackups.js';
import type { RoomDirectory } from '../primary/RoomDirectory.js';
import type { ServerControl } from '../primary/ServerControl.js';
import type { ServerStats } from '../primary/ServerStats.js';

/** Run-time switches an operator flips (drain / resume). */
export interface ServerState {
  accepting: boolean;
  readonly startedAt: number;
}

/** What the public and admin apps are built from. */
export interface AppContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly rooms: RoomDirectory;
  readonly state: ServerState;
  readonly chatAdmin: ChatAdmin;
  /** Export and delete of a room's stored history. */
  readonly history: HistoryAdmin;
  readonly backups: StoreBackups;
  readonly control: ServerControl;
  /** Counts workers that take requests, for /health. */
  readonly readyWorkers: () => number;
  readonly stats: () => Promise<ServerStats>;
  /** Prometheus text for `GET /metrics`. */
  readonly metrics: () => Promise<{ contentType: string; text: string }>;
}
