import type { Config } from '../config/Config.js';
import type { StreamIngest } from '../contracts/ingest.js';
import type { PublishCapabilities } from './publishUrls.js';
import type { LogLevel } from '../contracts/logLevels.js';
import type { Logger } from '../kit/createLogger.js';
import type { WebhookEventType } from '../contracts/webhookEvents.js';
import type { DeliveryRecord, WebhookEndpointView } from '../contracts/webhookRecords.js';
import type { BanRecord, GlobalSettings, RecordingRecord, RevocationRecord, RoomSettings } from '../contracts/records.js';
import type { RoomUser } from '../contracts/ipc.js';

/**
 * What the public and admin APIs need from the server, said here so that the HTTP layer knows
 * nothing of who provides it (the primary, or a fake in a test). Values the routes only send
 * on (stats, reports) are typed `object`: their shape is the provider's and docs/api.md's.
 */

/** A room as the routes show it. */
export interface RoomInfo {
  readonly name: string;
  readonly port: number;
  readonly createdAt: number;
  readonly settings: RoomSettings;
  /** The worker slot that holds the room. */
  readonly slot: number;
  /** open: listening in its worker; opening: being started; down: its worker died; failed: could not start. */
  readonly status: 'opening' | 'open' | 'down' | 'failed';
  readonly clients: number;
  readonly viewers: number;
  readonly messages: number;
  readonly live: boolean;
  /** When the broadcast went live (ms); null when not live. */
  readonly liveSince: number | null;
  /** The room port serves a poster frame of the live stream. */
  readonly thumbnail: boolean;
  readonly ingest: StreamIngest | null;
  /** Why the room could not start. */
  readonly error: string | undefined;
}

/** The rooms of this server. */
export interface Rooms {
  list(): readonly RoomInfo[];
  get(name: string): RoomInfo | undefined;
  /** Creates the room, or answers the existing one (created: false). */
  create(name: string, settings?: RoomSettings): Promise<{ room: RoomInfo; created: boolean }>;
  /** Closes and forgets the room; false when there is no such room. */
  remove(name: string, reason?: string): Promise<boolean>;
}

/** Chat administration: settings, bans, token revocations, system messages, kicks. */
export interface ChatAdministration {
  settings(): GlobalSettings;
  updateSettings(patch: Partial<GlobalSettings>): Promise<GlobalSettings>;
  listBans(): readonly BanRecord[];
  addBan(ban: Omit<BanRecord, 'id' | 'createdAt'>): Promise<BanRecord>;
  /** False when there is no such ban. */
  removeBan(id: string): Promise<boolean>;
  revokeTokens(user: string, room: string | null): Promise<RevocationRecord>;
  listRevocations(): readonly RevocationRecord[];
  /** A system message to one room, or to every room when `room` is undefined. */
  system(text: string, room?: string): Promise<{ rooms: number; delivered: number }>;
  /** Who is in the room now: up to `limit` whose name or id contains `q`, and how many match (ROOM_NOT_FOUND otherwise). */
  users(room: string, limit: number, q?: string): Promise<{ users: RoomUser[]; total: number }>;
  /** Mutes a user in a room; resolves with until when (ms); USER_NOT_FOUND when the user is not there. */
  mute(room: string, user: string, duration: number, reason: string | null): Promise<number>;
  /** Resolves with the connections closed; USER_NOT_FOUND when the user is not there. */
  kick(room: string, user: string, reason: string): Promise<number>;
  /** Bans a user who is in the room (an anonymous user's address too); the bans stored; USER_NOT_FOUND when the user is not there. */
  banInRoom(room: string, user: string, expiresAt: number | null, reason: string): Promise<BanRecord[]>;
  /** Ends a user's chat sessions and broadcast in one room, or everywhere (room undefined). */
  endSessions(user: string, room: string | undefined, reason: string): Promise<{ connections: number; streams: string[] }>;
  /** Ends a room's broadcast now (DomainError STREAM_NOT_LIVE when nobody streams). */
  stopStream(room: string, reason: string | undefined): Promise<{ producer: string }>;
}

/** A room's stored history. */
export interface HistoryOperations {
  /** NDJSON chunks, pulled page by page as the reader takes them. */
  export(room: string): Promise<AsyncIterable<string>>;
  /** Resolves with how many messages were deleted. */
  delete(room: string): Promise<number>;
}

/** The operator's switches. */
export interface ServerSwitches {
  /** Drain (false) or resume (true). */
  setAccepting(accepting: boolean): void;
  setLogLevel(level: LogLevel): Promise<{ level: LogLevel; workers: number }>;
  /** Resolves with the restart's report once every worker was replaced. */
  rollingRestart(): Promise<object>;
  /** Resolves once the server is down; the process exits then. */
  shutdown(reason: string): Promise<void>;
}

/** Recordings of a room's broadcasts (core errors: RECORDING_NOT_FOUND, RECORDING_IN_PROGRESS). */
export interface RecordingOperations {
  /** Newest first. */
  list(room: string): Promise<RecordingRecord[]>;
  get(room: string, id: string): Promise<RecordingRecord>;
  delete(room: string, id: string, why: string): Promise<void>;
}

/** A recording's chat for its replay (core errors: ROOM_NOT_FOUND, RECORDING_NOT_FOUND, VIEWER_*, STORE_UNAVAILABLE). */
export interface RecordingChatOperations {
  /** Oldest first; `next` is the `after` of the following page, null after the last. */
  messages(
    room: string,
    id: string,
    query: { readonly after?: string; readonly limit: number; readonly token?: string },
  ): Promise<{ messages: ReadonlyArray<{ id: string; user: string; name: string; text: string; ts: number }>; next: string | null }>;
}

/** Backups of the embedded store. */
export interface Backups {
  /** Writes one; resolves with where and how big. */
  run(): Promise<object>;
}


/** Webhook endpoints and their deliveries (core errors: WEBHOOK_NOT_FOUND, WEBHOOK_URL_*, STORE_UNAVAILABLE). */
export interface WebhookOperations {
  create(input: { url: string; events?: readonly WebhookEventType[]; rooms?: readonly string[] }): Promise<{ endpoint: WebhookEndpointView; secret: string }>;
  list(): WebhookEndpointView[];
  get(id: string): WebhookEndpointView;
  update(id: string, patch: { url?: string; events?: readonly WebhookEventType[] | null; rooms?: readonly string[] | null; enabled?: boolean }): Promise<WebhookEndpointView>;
  remove(id: string): Promise<void>;
  rotateSecret(id: string): Promise<{ endpoint: WebhookEndpointView; secret: string }>;
  deliveries(id: string, query: { before?: string; limit: number }): Promise<{ deliveries: DeliveryRecord[]; next: string | null }>;
  replay(id: string, selector: { since: number; until: number } | { event: string }): Promise<{ queued: number }>;
}

/** What the public and admin apps are built from. */
export interface AppContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly rooms: Rooms;
  /** Whether new rooms are taken (an operator drains and resumes), and since when the server runs. */
  readonly state: { readonly accepting: boolean; readonly startedAt: number };
  readonly chatAdmin: ChatAdministration;
  readonly history: HistoryOperations;
  readonly recordings: RecordingOperations;
  readonly recordingChat: RecordingChatOperations;
  readonly backups: Backups;
  readonly control: ServerSwitches;
  readonly webhooks: WebhookOperations;
  /** Counts workers that take requests, for /health. */
  readonly readyWorkers: () => number;
  /** Ingest protocols the server's ffmpeg allows (`{ srt }`), for /health. */
  readonly ingest: () => Promise<PublishCapabilities>;
  /** The pid of the worker in a slot, for the admin room list. */
  readonly workerPid: (slot: number) => number | undefined;
  /** `GET /api/v1/stats`, sent as it is. */
  readonly stats: () => Promise<object>;
  /** Prometheus text for `GET /metrics`. */
  readonly metrics: () => Promise<{ contentType: string; text: string }>;
}
