import type { IngestLimits } from './IngestLimits.js';
import type { LogLevel } from '../contracts/logLevels.js';

/** The validated, frozen configuration. Built once by loadConfig(); passed in everywhere. */
export interface Config {
  readonly port: number;
  readonly adminPort: number;
  /** The shared RTMP port the primary listens on (0: the system picks); undefined: off. */
  readonly rtmpPort: number | undefined;
  /** Room-creation API key (`X-API-Key` on the public API). Empty in room workers: they never get it. */
  readonly key: string;
  /** Admin API key. Empty in room workers: they never get it. */
  readonly adminKey: string;
  /** The HS256 key of join tokens: TOKEN_SECRET, or derived from KEY (src/config/tokenKey.ts). */
  readonly tokenKey: Uint8Array;
  /** KEY / ADMIN_KEY values that are short or well-known (warned at start; refused in production). */
  readonly weakKeys: ReadonlyArray<{ readonly variable: 'KEY' | 'ADMIN_KEY'; readonly reason: string }>;
  /** Which of KEY / ADMIN_KEY were generated because they were unset. */
  readonly generatedKeys: ReadonlyArray<'KEY' | 'ADMIN_KEY'>;
  readonly loadBalancers: readonly string[];
  readonly loadBalancerKey: string | undefined;
  readonly mongodbUri: string | undefined;
  readonly dataDir: string;
  /** Backups of the embedded store kept in DATA_DIR/backups (the oldest go). */
  readonly backupKeep: number;
  readonly hlsDir: string;
  /** Recordings: RECORDINGS_DIR/<room>/<id>/ (see docs/broadcast.md). */
  readonly recordingsDir: string;
  /** Recordings older than this are deleted; 0 keeps them. */
  readonly recordingsRetentionDays: number;
  /** The oldest finished recordings are deleted while RECORDINGS_DIR holds more; 0: no budget. */
  readonly recordingsMaxBytes: number;
  readonly workers: number;
  readonly roomPorts: { readonly first: number; readonly last: number };
  readonly publicHost: string;
  /** Where load balancers reach the public API (room placement); PUBLIC_HOST:PORT by default. */
  readonly advertiseUrl: string;
  readonly ffmpegPath: string | undefined;
  /** Default HLS segment length (a room setting may override it). */
  readonly hlsSegmentSeconds: number;
  /** Default number of segments in a live playlist (a room setting may override it). */
  readonly hlsWindowSegments: number;
  /** HLS_MODE: Low-Latency HLS (fMP4 parts, the default) or classic MPEG-TS HLS. */
  readonly hlsMode: 'll' | 'classic';
  /** HLS_PART_SECONDS (ll mode). */
  readonly hlsPartSeconds: number;
  readonly hlsMaxHeldPerAddress: number;
  readonly hlsMaxHeldPerRoom: number;
  /** A copied (not encoded) stream is stopped when a segment passes this length... */
  readonly hlsMaxSegmentSeconds: number;
  /** ...or this size: the producer's keyframes are too sparse. */
  readonly hlsMaxSegmentBytes: number;
  /** How long a stream whose publisher dropped waits for it to come back (0: it ends at once). */
  readonly streamResumeMs: number;
  /** How long a producer whose stream was stopped by a moderator or operator is refused. */
  readonly streamStopRefuseMs: number;
  /** A live room's poster frame is taken this often (0: no thumbnails). */
  readonly thumbnailMs: number;
  /** Thumbnails are scaled down to this width (never up). */
  readonly thumbnailWidth: number;
  /** Server-Sent Events clients of the live listing feed at once (0: off). */
  readonly liveEventsMaxClients: number;
  /** Encodes are scaled down (never up, aspect kept) into this box... */
  readonly encodeMaxResolution: { readonly width: number; readonly height: number };
  /** ...and to at most this frame rate. */
  readonly encodeMaxFps: number;
  /** Streams one worker encodes at once; a producer past it gets ENCODER_BUSY (copied streams are not counted). */
  readonly maxEncodesPerWorker: number;
  readonly logLevel: LogLevel;
  /** PEM contents (not paths) when the admin API speaks https. */
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  readonly cacheRefreshMs: number;
  readonly chatRate: number;
  readonly chatBurst: number;
  /** Kicks, mutes and bans per second one moderator connection may make (token bucket). */
  readonly moderationRate: number;
  readonly moderationBurst: number;
  /** Active bans chat moderators may set in one room (the admin API is not bound by it). */
  readonly maxRoomBans: number;
  /** Chat messages in one store transaction at most (group commit). */
  readonly commitMaxMessages: number;
  /** Writes the local journal holds at most while MongoDB is unreachable. */
  readonly storeJournalMaxEntries: number;
  /** WebSocket ping interval; a socket that misses a pong is terminated. */
  readonly chatHeartbeatMs: number;
  /** How long a chat socket may stay open without a valid join before it is closed with 4002. */
  readonly chatJoinTimeoutMs: number;
  /** Unsent bytes a chat client may have queued before it is dropped as a slow consumer. */
  readonly chatSendBufferBytes: number;
  /** Connections (chat, ingest and plain HTTP) one address may hold to the room ports of one worker. */
  readonly maxConnectionsPerIp: number;
  /** Reverse proxies (addresses, CIDR ranges) whose `X-Forwarded-For` is believed. */
  readonly trustProxy: readonly string[];
  /** A room-port request must have its whole body within this (a streaming ingest is watched by rate instead). */
  readonly roomRequestTimeoutMs: number;
  /** WebRTC (WHIP) ingest: ICE UDP ports (undefined lets the system pick) and the host put in the answer's candidates. */
  readonly whip: { readonly udpPorts: { readonly first: number; readonly last: number } | undefined; readonly iceHost: string };
  /** Bounds on one producer's ingest (INGEST_* settings). */
  readonly ingest: IngestLimits;
  /** The join and publish hook (AUTH_HOOK_*); undefined when AUTH_HOOK_URL is unset. */
  readonly authHook: AuthHookSettings | undefined;
  /** Webhook delivery (WEBHOOK_* settings, docs/integrations.md). */
  readonly webhooks: WebhookLimits;
  readonly production: boolean;
}

/** AUTH_HOOK_*: where joins and publishes are asked about, and what happens when the hook fails. */
export interface AuthHookSettings {
  readonly url: string;
  /** The `whsec_` secret its requests are signed with (Standard Webhooks). */
  readonly secret: string;
  readonly timeoutMs: number;
  /** What a join or publish gets when the hook times out, errors or answers neither 2xx nor 403. */
  readonly failure: 'deny' | 'allow';
  /** How long an allow is reused for the same action, user and room (0: never). */
  readonly cacheMs: number;
  /** How long a deny is reused (at most cacheMs). */
  readonly denyCacheMs: number;
}

export interface WebhookLimits {
  /** URLs may point at loopback, private and link-local addresses. */
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  /** Requests in flight to one endpoint at most. */
  readonly concurrency: number;
  /** Deliveries of one endpoint held in the primary's memory at most; the rest wait in the store. */
  readonly memoryQueue: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** A delivery failing for longer than this after its event is dead. */
  readonly retryForMs: number;
  /** user.left waits this long for the same user to come back (then neither is sent). */
  readonly presenceDebounceMs: number;
  /** Settled deliveries are pruned after this. */
  readonly keepMs: number;
}
