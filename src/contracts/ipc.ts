/**
 * Every message that crosses the primary <-> worker IPC channel, in one place.
 * Requests get exactly one response (matched by id); notes are one-way.
 */
import type { RaisedEvent, WebhookEventType } from './webhookEvents.js';
import type { BanRecord, ChatMessageRecord, GlobalSettings, RecordingRecord, RevocationRecord, RoomSettings } from './records.js';
import type { WorkerCounters } from './WorkerCounters.js';
import type { LogLevel } from './logLevels.js';
import type { StreamIngest } from './ingest.js';
import type { UserView } from './chatFrames.js';

/** What the primary caches from the store and pushes to every worker. */
export interface CacheSnapshot {
  /** Grows by one at every refresh, so a worker can ignore an older snapshot. */
  readonly version: number;
  readonly settings: GlobalSettings;
  readonly bans: readonly BanRecord[];
  /** Revoked join tokens (admin API), refused at join and disconnected when already joined. */
  readonly revocations: readonly RevocationRecord[];
  readonly loadedAt: number;
}

/**
 * One change to the cache, pushed instead of the whole snapshot: a worker at `version - 1`
 * applies it; a worker that missed one asks for the full snapshot (`cache.get`).
 */
export interface CacheDelta {
  readonly version: number;
  /** The new settings, when they changed. */
  readonly settings?: GlobalSettings;
  readonly added: readonly BanRecord[];
  /** Ids of bans lifted or expired. */
  readonly removed: readonly string[];
  /** Every revocation still covering live tokens, when they changed (a short list: tokens live at most 7 days). */
  readonly revocations?: readonly RevocationRecord[];
}

/** A ban a chat moderator asks for (`by` is the moderator's user id). */
export type ModeratorBan = Omit<BanRecord, 'id' | 'createdAt' | 'by'> & { readonly by: string };

/**
 * A ban an operator asked for through the admin API (`room.ban`), carried out by the room's
 * worker as a moderator's is: stored as an admin API ban (no `by`: it keeps moderators out too),
 * neither refused for a moderator target nor counted against MAX_ROOM_BANS.
 */
export type OperatorBan = Omit<BanRecord, 'id' | 'createdAt' | 'by'> & { readonly operator: true };

/** The primary's answer to a moderator's ban: stored, or refused with a chat error code. */
export type BanAddResult = { readonly ok: true; readonly ban: BanRecord } | { readonly ok: false; readonly code: 'FORBIDDEN' | 'BAN_LIMIT'; readonly message: string };

/**
 * A room's activity as its worker reports it: pushed when it changes (coalesced; at once when
 * the stream goes live or ends), never polled.
 */
export interface RoomActivity {
  readonly name: string;
  /** The room's creation time: a report about an earlier room of the same name is ignored. */
  readonly epoch: number;
  readonly clients: number;
  /** Chat clients plus recent HLS players without a chat connection. */
  readonly viewers: number;
  /** Messages accepted since the room opened in its current worker. */
  readonly messages: number;
  readonly live: boolean;
  /** When the broadcast went live (ms since the epoch); null when not live. */
  readonly liveSince: number | null;
  /** Whether the room port has a poster frame of the live stream (`/thumbnail.jpg`). */
  readonly thumbnail: boolean;
  /** The producer's ingest (protocol, bitrate, keyframe interval, warnings); null when nobody streams. */
  readonly ingest: StreamIngest | null;
}

/** What only the worker process can tell about itself: asked for when the stats are. */
export interface WorkerStats {
  readonly rssBytes: number;
  readonly cacheVersion: number;
  readonly counters: Readonly<WorkerCounters>;
  /** Event-loop delay p99 since the previous reading. */
  readonly eventLoopLagMs: number;
  /** Low-Latency HLS requests held now (blocking reloads and hinted parts), all rooms of the worker. */
  readonly hlsHeld: number;
}

/** A user in a room as the admin API lists them: who, how many connections, muted until when (ms; null: not muted). */
export interface RoomUser extends UserView {
  readonly connections: number;
  readonly mutedUntil: number | null;
}

/** Requests the primary sends to a worker: type -> [payload, result]. */
export type WorkerRequests = {
  /** `epoch` is the room's creation time: join tokens must carry it (a re-created room refuses older tokens). */
  'room.open': [{ name: string; port: number; settings: RoomSettings; epoch: number }, { port: number }];
  /** `kind` picks the close code clients get: the room was deleted, or the server is going away. */
  'room.close': [{ name: string; reason: string; kind?: 'deleted' | 'going-away' }, { closed: boolean }];
  /** A `system` frame to one room, or to every room of the worker when `room` is absent. */
  'room.system': [{ room?: string; text: string }, { rooms: number; delivered: number }];
  /** Disconnects every connection of a user in a room (admin kick). */
  'room.kick': [{ room: string; user: string; reason: string }, { connections: number }];
  /**
   * Who is in the room now (admin API): up to `limit` users whose name or id contains `q`
   * (case-insensitive; everyone without it), in the order they joined, and `total`, how many match.
   * `found` is false when the worker has no such room.
   */
  'room.users': [{ room: string; q?: string; limit: number }, { found: boolean; users: RoomUser[]; total: number }];
  /** Mutes a user in a room (admin API), announced as a moderator's mute; `until` is null when the user is not there. */
  'room.mute': [{ room: string; user: string; duration: number; by: string; reason: string | null }, { until: number | null }];
  /**
   * Bans a user who is in the room (admin API) the way a moderator's ban does: announced, the
   * user removed, and for an anonymous user their address banned in this room too. `bans`: what
   * was stored, empty when the user (or the room) is not there.
   */
  'room.ban': [{ room: string; user: string; expiresAt: number | null; by: string; reason: string }, { bans: BanRecord[] }];
  /** Ends the room's broadcast (admin API); `producer` is null when nobody was streaming. */
  'room.stopStream': [{ room: string; reason?: string }, { found: boolean; producer: string | null }];
  /**
   * Ends a user's sessions in one room, or in every room of the worker (admin API): their chat
   * connections get SESSION_ENDED with the reason, a broadcast of theirs is stopped, and the
   * worker's auth hook forgets its answers about them. `streams`: the rooms whose broadcast stopped.
   */
  'user.endSessions': [{ user: string; room?: string; reason: string }, { rooms: number; connections: number; streams: string[] }];
  'worker.stats': [Record<string, never>, WorkerStats];
  /** The log level at run time (admin API), for the worker's logger and all its children. */
  'worker.logLevel': [{ level: LogLevel }, { level: LogLevel }];
  /**
   * Close every room and get ready to exit. `restart`: a rolling restart replaces the worker, and
   * its live streams are suspended for their producers to resume in the next worker (not ended).
   */
  'worker.shutdown': [{ reason: string; restart?: boolean }, { rooms: number }];
};

/**
 * The answer for one chat message a worker handed over: stored (`first` set when it was a
 * resend: the message stored the first time), or not stored, and why.
 */
export type CommitAnswer = { readonly stored: true; readonly first?: ChatMessageRecord } | { readonly stored: false; readonly reason: string };

/** Requests a worker sends to the primary. */
export type PrimaryRequests = {
  'cache.get': [Record<string, never>, CacheSnapshot];
  /**
   * Resolves once the store has committed each message durably or failed to, with one answer
   * per message (a batch may span two commits): stored (with `first`, the message stored the
   * first time, when it was a resend: same room, user, ref and text within the window), or not
   * stored and why. Fails with DEADLINE_PASSED or BUFFER_FULL, taking none of them, when the
   * primary gets the request after `deadline` (epoch ms; primary and workers share the
   * machine's clock) or too many messages wait for the store: the worker waits for this answer,
   * whatever it is, so what the senders are told is what happened.
   */
  'messages.append': [{ messages: ChatMessageRecord[]; deadline: number }, { answers: CommitAnswer[] }];
  /**
   * The newest `limit` messages (at most 500) of a room older than `before`, oldest first.
   * Fails with DEADLINE_PASSED, reading nothing, when the worker has given up waiting already.
   */
  'history.get': [{ room: string; before?: string; limit: number; deadline: number }, ChatMessageRecord[]];
  /**
   * Stores a moderator's ban (unless the target is a known moderator or the room is at its cap),
   * or an operator's (never refused), and pushes it to every worker.
   */
  'ban.add': [ModeratorBan | OperatorBan, BanAddResult];
};

/** One-way notes from the primary to workers. */
export type WorkerNotes = {
  'cache.delta': CacheDelta;
  /** An operator deleted the room's stored history: the worker forgets its recent messages too. */
  'room.historyDeleted': { room: string };
  /** The webhook event types some enabled endpoint wants (sent at each change and to each worker that starts): workers raise only those. */
  'webhooks.interest': { types: WebhookEventType[] };
};

/**
 * What a worker needs to continue an RTMP session the primary began on the shared RTMP_PORT:
 * the publisher's socket travels with it (Node's sendHandle). The worker replays `received`
 * through its own RtmpSession (muted) and answers the publish command itself.
 */
export interface RtmpHandoff {
  /** The room the stream key's token names (the worker checks the token again). */
  readonly room: string;
  /** The bytes the primary read after the handshake, base64, in the pieces it read them. */
  readonly received: readonly string[];
}

/** One-way notes from the primary to a worker that carry a socket. */
export type WorkerSocketNotes = {
  'rtmp.handoff': RtmpHandoff;
};

/** One-way notes from a worker to the primary. */
export type PrimaryNotes = {
  /** The worker has set up its handlers and can take requests. */
  'worker.ready': { pid: number };
  /** Rooms whose activity changed since the worker's previous report. */
  'rooms.activity': { rooms: RoomActivity[] };
  /** A user joined with a moderator token: chat moderators may not ban them anywhere. */
  'moderator.seen': { user: string };
  /**
   * A recording started (endedAt null), grew (at most every few seconds) or ended. `failure`:
   * writing stopped early (a full disk); `sealed`: its playlist on disk has ENDLIST (if not, the
   * primary seals it).
   */
  'recording.changed': { recording: RecordingRecord; failure: string | null; sealed: boolean };
  /** Webhook events raised in the worker's rooms (joins and leaves after their debounce, moderation, streams), batched per tick. */
  'webhooks.events': { events: RaisedEvent[] };
};

/** Error codes a request can fail with; the primary turns those its callers must hear about into domain errors. */
export type IpcErrorCode = 'TIMEOUT' | 'CHANNEL_CLOSED' | 'NO_HANDLER' | 'PORT_IN_USE' | 'PORT_DENIED' | 'ROOM_EXISTS' | 'BUFFER_FULL' | 'DEADLINE_PASSED' | 'FAILED';

/** The wire envelopes. */
export type Envelope =
  | { readonly ch: 'req'; readonly id: number; readonly type: string; readonly payload: unknown }
  | { readonly ch: 'res'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly ch: 'res'; readonly id: number; readonly ok: false; readonly code: IpcErrorCode; readonly message: string }
  | { readonly ch: 'note'; readonly type: string; readonly payload: unknown }
  /** A note sent with a socket (the receiving end gets the socket beside it). */
  | { readonly ch: 'socket'; readonly type: string; readonly payload: unknown };
