import type { Config } from '../config/Config.js';
import type { Logger } from '../kit/createLogger.js';
import type { ChatAdmin } from './ChatAdmin.js';
import type { HistoryAdmin } from './HistoryAdmin.js';
import type { RecordingChat } from './RecordingChat.js';
import type { RecordingLibrary } from './RecordingLibrary.js';
import type { IngestCapabilities } from './IngestCapabilities.js';
import type { RoomDirectory } from './RoomDirectory.js';
import type { AcceptingState, ServerControl } from './ServerControl.js';
import type { ServerStats } from './ServerStats.js';
import type { StoreBackups } from './StoreBackups.js';
import type { Webhooks } from './webhooks/Webhooks.js';

/**
 * What the primary offers the APIs that speak for it. The APIs say what they use of it in
 * http/AppContext; main.ts hands one to the other, so neither folder imports the other.
 */
export interface PrimaryServices {
  readonly config: Config;
  readonly logger: Logger;
  readonly rooms: RoomDirectory;
  readonly state: Readonly<AcceptingState>;
  readonly chatAdmin: ChatAdmin;
  readonly history: HistoryAdmin;
  readonly recordings: RecordingLibrary;
  readonly recordingChat: RecordingChat;
  readonly backups: StoreBackups;
  readonly control: ServerControl;
  readonly webhooks: Webhooks;
  /** Workers that take requests now. */
  readonly readyWorkers: () => number;
  /** What the ffmpeg build allows (SRT), probed once. */
  readonly ingest: () => Promise<IngestCapabilities>;
  /** The pid of the worker in a slot. */
  readonly workerPid: (slot: number) => number | undefined;
  readonly stats: () => Promise<ServerStats>;
  /** Prometheus text. */
  readonly metrics: () => Promise<{ contentType: string; text: string }>;
}

/** Starts the APIs over the primary's services; resolves once they listen, with how to close them. */
export type StartApis = (services: PrimaryServices) => Promise<{ close(): Promise<void>; port: number; adminPort: number }>;
