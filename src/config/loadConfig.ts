import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, parseEnv, readPem, type Env } from '../kit/envParsing.js';
import { envSchema, type EnvValues } from './schema.js';
import type { LogLevel } from '../contracts/logLevels.js';
import type { AuthHookSettings, Config } from './Config.js';
import { deriveTokenKey, tokenKeyFromSecret } from './tokenKey.js';
import { weakKeyReason } from './weakKeys.js';

export { ConfigError };

/**
 * The primary hands each room worker the token signing key in this variable (base64url) instead
 * of KEY, ADMIN_KEY, TOKEN_SECRET, LOADBALANCER_KEY or MONGODB_URI, none of which a worker needs.
 */
export const WORKER_TOKEN_KEY_ENV = 'CHATSERVER_TOKEN_KEY';
/** Secrets the primary keeps to itself: removed from every room worker's environment. */
export const PRIMARY_ONLY_ENV = ['KEY', 'ADMIN_KEY', 'TOKEN_SECRET', 'LOADBALANCER_KEY', 'MONGODB_URI'] as const;

export type ProcessRole = 'primary' | 'worker';

function strongKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Reads and validates the environment once. Throws ConfigError on the first mistake.
 * The result is deeply frozen: code receives it and never reads process.env itself.
 */
export function loadConfig(env: Env = process.env, role: ProcessRole = 'primary'): Config {
  const v = parseEnv(envSchema, env);
  const production = v.NODE_ENV === 'production';
  if (role === 'worker') return workerConfig(v, env);

  if (v.LOADBALANCERS.length > 0 && !v.LOADBALANCER_KEY) {
    throw new ConfigError('LOADBALANCER_KEY', 'is required when LOADBALANCERS is set', 'set it to the key the load balancers expect');
  }
  if (v.PORT === v.ADMIN_PORT && v.PORT !== 0) {
    throw new ConfigError('ADMIN_PORT', `must differ from PORT (both are ${v.PORT})`, 'e.g. ADMIN_PORT=8090');
  }
  const rtmp = v.RTMP_PORT;
  if (rtmp !== undefined && rtmp !== 0 && (rtmp === v.PORT || rtmp === v.ADMIN_PORT)) {
    throw new ConfigError('RTMP_PORT', `must differ from PORT and ADMIN_PORT (it is ${rtmp})`, 'e.g. RTMP_PORT=1935');
  }
  const listened = [['PORT', v.PORT], ['ADMIN_PORT', v.ADMIN_PORT], ...(rtmp === undefined ? [] : [['RTMP_PORT', rtmp] as const])] as const;
  for (const [name, value] of listened) {
    if (value !== 0 && value >= v.ROOM_PORTS.first && value <= v.ROOM_PORTS.last) {
      throw new ConfigError('ROOM_PORTS', `${v.ROOM_PORTS.first}-${v.ROOM_PORTS.last} contains ${name}=${value}`, 'choose a range without the API ports');
    }
  }
  if (Boolean(v.TLS_CERT) !== Boolean(v.TLS_KEY)) {
    throw new ConfigError(v.TLS_CERT ? 'TLS_KEY' : 'TLS_CERT', 'must be set together with the other TLS variable', 'set both TLS_CERT and TLS_KEY, or neither');
  }
  if (v.INGEST_MIN_KBPS >= v.INGEST_MAX_KBPS) {
    throw new ConfigError('INGEST_MIN_KBPS', `must be below INGEST_MAX_KBPS (${v.INGEST_MIN_KBPS} >= ${v.INGEST_MAX_KBPS})`, 'e.g. INGEST_MIN_KBPS=8');
  }
  if (v.HLS_PART_SECONDS > v.HLS_SEGMENT_SECONDS) {
    throw new ConfigError('HLS_PART_SECONDS', `must be at most HLS_SEGMENT_SECONDS (${v.HLS_PART_SECONDS} > ${v.HLS_SEGMENT_SECONDS})`, 'e.g. HLS_PART_SECONDS=0.2');
  }
  const tls = v.TLS_CERT && v.TLS_KEY ? { cert: readPem('TLS_CERT', v.TLS_CERT), key: readPem('TLS_KEY', v.TLS_KEY) } : undefined;

  const generatedKeys: Array<'KEY' | 'ADMIN_KEY'> = [];
  const key = v.KEY ?? (generatedKeys.push('KEY'), strongKey());
  const adminKey = v.ADMIN_KEY ?? (generatedKeys.push('ADMIN_KEY'), strongKey());
  const weakKeys = weakKeysOf(v.KEY, v.ADMIN_KEY);
  if (production && weakKeys[0]) {
    const { variable, reason } = weakKeys[0];
    throw new ConfigError(variable, `${reason}; NODE_ENV=production refuses it`, `set ${variable} to a long random string, e.g. ${variable}=$(openssl rand -base64 32)`);
  }
  if (v.KEY !== undefined && v.KEY === v.ADMIN_KEY) {
    throw new ConfigError('ADMIN_KEY', 'must differ from KEY', 'give the admin API its own key');
  }

  const config: Config = {
    ...common(v),
    key,
    adminKey,
    tokenKey: v.TOKEN_SECRET ? tokenKeyFromSecret(v.TOKEN_SECRET) : deriveTokenKey(key),
    weakKeys,
    generatedKeys,
    loadBalancerKey: v.LOADBALANCER_KEY,
    mongodbUri: v.MONGODB_URI,
    tls,
  };
  return freeze(config);
}

/** The settings both process roles read the same way. */
function common(v: EnvValues) {
  const production = v.NODE_ENV === 'production';
  const dataDir = path.resolve(v.DATA_DIR);
  const logLevel: LogLevel = v.LOG_LEVEL ?? (production ? 'fatal' : 'info');
  return {
    port: v.PORT,
    adminPort: v.ADMIN_PORT,
    rtmpPort: v.RTMP_PORT,
    loadBalancers: v.LOADBALANCERS,
    dataDir,
    backupKeep: v.BACKUP_KEEP,
    hlsDir: path.resolve(v.HLS_DIR ?? path.join(dataDir, 'hls')),
    recordingsDir: path.resolve(v.RECORDINGS_DIR ?? path.join(dataDir, 'recordings')),
    recordingsRetentionDays: v.RECORDINGS_RETENTION_DAYS,
    recordingsMaxBytes: v.RECORDINGS_MAX_BYTES,
    workers: v.WORKERS,
    roomPorts: v.ROOM_PORTS,
    publicHost: v.PUBLIC_HOST,
    advertiseUrl: v.ADVERTISE_URL ?? `http://${v.PUBLIC_HOST}:${v.PORT}`,
    ffmpegPath: v.FFMPEG_PATH,
    hlsSegmentSeconds: v.HLS_SEGMENT_SECONDS,
    hlsWindowSegments: v.HLS_WINDOW_SEGMENTS,
    hlsMode: v.HLS_MODE,
    hlsPartSeconds: v.HLS_PART_SECONDS,
    hlsMaxHeldPerAddress: v.HLS_MAX_HELD_PER_ADDRESS,
    hlsMaxHeldPerRoom: v.HLS_MAX_HELD_PER_ROOM,
    hlsMaxSegmentSeconds: v.HLS_MAX_SEGMENT_SECONDS,
    hlsMaxSegmentBytes: v.HLS_MAX_SEGMENT_BYTES,
    streamResumeMs: v.STREAM_RESUME_SECONDS * 1000,
    streamStopRefuseMs: v.STREAM_STOP_REFUSE_SECONDS * 1000,
    thumbnailMs: v.THUMBNAIL_SECONDS * 1000,
    thumbnailWidth: v.THUMBNAIL_WIDTH,
    liveEventsMaxClients: v.LIVE_EVENTS_MAX_CLIENTS,
    encodeMaxResolution: v.ENCODE_MAX_RESOLUTION,
    encodeMaxFps: v.ENCODE_MAX_FPS,
    // One encode per core by default, spread over the workers: a worst-case encode (at the
    // resolution and frame rate caps) takes most of a core.
    maxEncodesPerWorker: v.MAX_ENCODES_PER_WORKER ?? Math.max(1, Math.ceil(os.availableParallelism() / v.WORKERS)),
    logLevel,
    cacheRefreshMs: v.CACHE_REFRESH_MS,
    chatRate: v.CHAT_RATE,
    chatBurst: v.CHAT_BURST,
    moderationRate: v.MODERATION_RATE,
    moderationBurst: v.MODERATION_BURST,
    maxRoomBans: v.MAX_ROOM_BANS,
    commitMaxMessages: v.COMMIT_MAX_MESSAGES,
    storeJournalMaxEntries: v.STORE_JOURNAL_MAX_ENTRIES,
    chatHeartbeatMs: v.CHAT_HEARTBEAT_MS,
    chatJoinTimeoutMs: v.CHAT_JOIN_TIMEOUT_MS,
    chatSendBufferBytes: v.CHAT_SEND_BUFFER_BYTES,
    maxConnectionsPerIp: v.MAX_CONNECTIONS_PER_IP,
    trustProxy: v.TRUST_PROXY,
    roomRequestTimeoutMs: v.ROOM_REQUEST_TIMEOUT_MS,
    whip: { udpPorts: v.WHIP_UDP_PORTS, iceHost: v.WHIP_ICE_HOST ?? v.PUBLIC_HOST },
    ingest: {
      maxBytesPerSecond: (v.INGEST_MAX_KBPS * 1000) / 8,
      minBytesPerSecond: (v.INGEST_MIN_KBPS * 1000) / 8,
      burstSeconds: v.INGEST_BURST_SECONDS,
      maxFramesPerSecond: v.INGEST_MAX_FRAMES_PER_SECOND,
      rateWindowMs: v.ROOM_REQUEST_TIMEOUT_MS,
      mediaTimeoutMs: v.INGEST_MEDIA_TIMEOUT_SECONDS * 1000,
    },
    authHook: authHookSettings(v),
    webhooks: {
      allowPrivate: v.WEBHOOK_ALLOW_PRIVATE,
      timeoutMs: v.WEBHOOK_TIMEOUT_MS,
      concurrency: v.WEBHOOK_CONCURRENCY,
      memoryQueue: v.WEBHOOK_MEMORY_QUEUE,
      retryBaseMs: v.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: v.WEBHOOK_RETRY_MAX_MS,
      retryForMs: v.WEBHOOK_RETRY_FOR_MS,
      presenceDebounceMs: v.WEBHOOK_PRESENCE_DEBOUNCE_MS,
      keepMs: v.WEBHOOK_KEEP_DAYS * 86_400_000,
    },
    production,
  };
}

/** AUTH_HOOK_*: a URL needs its secret (a hook that cannot tell our requests from forged ones is no check). */
function authHookSettings(v: EnvValues): AuthHookSettings | undefined {
  if (v.AUTH_HOOK_URL === undefined) {
    if (v.AUTH_HOOK_SECRET !== undefined) throw new ConfigError('AUTH_HOOK_URL', 'is required when AUTH_HOOK_SECRET is set', 'set the hook URL, or unset AUTH_HOOK_SECRET');
    return undefined;
  }
  if (v.AUTH_HOOK_SECRET === undefined) {
    throw new ConfigError('AUTH_HOOK_SECRET', 'is required when AUTH_HOOK_URL is set', 'set it to the whsec_ secret your hook verifies, e.g. AUTH_HOOK_SECRET=whsec_$(openssl rand -base64 24)');
  }
  return {
    url: v.AUTH_HOOK_URL,
    secret: v.AUTH_HOOK_SECRET,
    timeoutMs: v.AUTH_HOOK_TIMEOUT_MS,
    failure: v.AUTH_HOOK_FAILURE,
    cacheMs: v.AUTH_HOOK_CACHE_SECONDS * 1000,
    // A deny is never kept longer than an allow: AUTH_HOOK_CACHE_SECONDS=0 alone turns caching off.
    denyCacheMs: Math.min(v.AUTH_HOOK_DENY_CACHE_SECONDS, v.AUTH_HOOK_CACHE_SECONDS) * 1000,
  };
}

/**
 * A room worker's configuration: the primary's settings without its secrets. The token key
 * comes from the primary (WORKER_TOKEN_KEY_ENV); KEY and ADMIN_KEY stay empty.
 */
function workerConfig(v: EnvValues, env: Env): Config {
  const encoded = env[WORKER_TOKEN_KEY_ENV];
  if (!encoded) throw new ConfigError(WORKER_TOKEN_KEY_ENV, 'is missing', 'room workers are started by the primary, not on their own');
  return freeze({
    ...common(v),
    key: '',
    adminKey: '',
    tokenKey: new Uint8Array(Buffer.from(encoded, 'base64url')),
    weakKeys: [],
    generatedKeys: [],
    loadBalancerKey: undefined,
    mongodbUri: undefined,
    tls: undefined,
  });
}

function weakKeysOf(key: string | undefined, adminKey: string | undefined): Config['weakKeys'] {
  const weak: Array<Config['weakKeys'][number]> = [];
  for (const [variable, value] of [['KEY', key], ['ADMIN_KEY', adminKey]] as const) {
    const reason = value === undefined ? undefined : weakKeyReason(value);
    if (reason) weak.push({ variable, reason });
  }
  return weak;
}

function freeze(config: Config): Config {
  Object.freeze(config.roomPorts);
  Object.freeze(config.whip);
  Object.freeze(config.encodeMaxResolution);
  Object.freeze(config.loadBalancers);
  Object.freeze(config.generatedKeys);
  Object.freeze(config.weakKeys);
  Object.freeze(config.trustProxy);
  Object.freeze(config.ingest);
  if (config.authHook) Object.freeze(config.authHook);
  Object.freeze(config.webhooks);
  if (config.tls) Object.freeze(config.tls);
  return Object.freeze(config);
}
