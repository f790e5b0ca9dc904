import type { LOG_LEVELS } from './schema.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

/** The validated, frozen configuration. Built once by loadConfig(); passed in everywhere. */
export interface Config {
  readonly port: number;
  readonly adminPort: number;
  /** Room-creation API key and token signing secret. */
  readonly key: string;
  readonly adminKey: string;
  /** Which of KEY / ADMIN_KEY were generated because they were unset. */
  readonly generatedKeys: ReadonlyArray<'KEY' | 'ADMIN_KEY'>;
  readonly loadBalancers: readonly string[];
  readonly loadBalancerKey: string | undefined;
  readonly mongodbUri: string | undefined;
  readonly dataDir: string;
  readonly hlsDir: string;
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
  /** A copied (not encoded) stream is stopped when a segment passes this length... */
  readonly hlsMaxSegmentSeconds: number;
  /** ...or this size: the producer's keyframes are too sparse. */
  readonly hlsMaxSegmentBytes: number;
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
  /** WebSocket ping interval; a socket that misses a pong is terminated. */
  readonly chatHeartbeatMs: number;
  /** Unsent bytes a chat client may have queued before it is dropped as a slow consumer. */
  readonly chatSendBufferBytes: number;
  /** WebSocket connections (chat + ingest) one address may hold in one worker. */
  readonly maxConnectionsPerIp: number;
  readonly production: boolean;
}
