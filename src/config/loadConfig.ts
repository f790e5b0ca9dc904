import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, parseEnv, readPem, type Env } from './envParsing.js';
import { envSchema } from './schema.js';
import type { Config, LogLevel } from './Config.js';

export { ConfigError };

function strongKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Reads and validates the environment once. Throws ConfigError on the first mistake.
 * The result is deeply frozen: code receives it and never reads process.env itself.
 */
export function loadConfig(env: Env = process.env): Config {
  const v = parseEnv(envSchema, env);
  const production = v.NODE_ENV === 'production';

  if (v.LOADBALANCERS.length > 0 && !v.LOADBALANCER_KEY) {
    throw new ConfigError('LOADBALANCER_KEY', 'is required when LOADBALANCERS is set', 'set it to the key the load balancers expect');
  }
  if (v.PORT === v.ADMIN_PORT) {
    throw new ConfigError('ADMIN_PORT', `must differ from PORT (both are ${v.PORT})`, 'e.g. ADMIN_PORT=8090');
  }
  for (const [name, value] of [['PORT', v.PORT], ['ADMIN_PORT', v.ADMIN_PORT]] as const) {
    if (value >= v.ROOM_PORTS.first && value <= v.ROOM_PORTS.last) {
      throw new ConfigError('ROOM_PORTS', `${v.ROOM_PORTS.first}-${v.ROOM_PORTS.last} contains ${name}=${value}`, 'choose a range without the API ports');
    }
  }
  if (Boolean(v.TLS_CERT) !== Boolean(v.TLS_KEY)) {
    throw new ConfigError(v.TLS_CERT ? 'TLS_KEY' : 'TLS_CERT', 'must be set together with the other TLS variable', 'set both TLS_CERT and TLS_KEY, or neither');
  }
  const tls = v.TLS_CERT && v.TLS_KEY ? { cert: readPem('TLS_CERT', v.TLS_CERT), key: readPem('TLS_KEY', v.TLS_KEY) } : undefined;

  const generatedKeys: Array<'KEY' | 'ADMIN_KEY'> = [];
  const key = v.KEY ?? (generatedKeys.push('KEY'), strongKey());
  const adminKey = v.ADMIN_KEY ?? (generatedKeys.push('ADMIN_KEY'), strongKey());
  const dataDir = path.resolve(v.DATA_DIR);
  const logLevel: LogLevel = v.LOG_LEVEL ?? (production ? 'fatal' : 'info');

  const config: Config = {
    port: v.PORT,
    adminPort: v.ADMIN_PORT,
    key,
    adminKey,
    generatedKeys,
    loadBalancers: v.LOADBALANCERS,
    loadBalancerKey: v.LOADBALANCER_KEY,
    mongodbUri: v.MONGODB_URI,
    dataDir,
    hlsDir: path.resolve(v.HLS_DIR ?? path.join(dataDir, 'hls')),
    workers: v.WORKERS,
    roomPorts: v.ROOM_PORTS,
    publicHost: v.PUBLIC_HOST,
    advertiseUrl: v.ADVERTISE_URL ?? `http://${v.PUBLIC_HOST}:${v.PORT}`,
    ffmpegPath: v.FFMPEG_PATH,
    hlsSegmentSeconds: v.HLS_SEGMENT_SECONDS,
    hlsWindowSegments: v.HLS_WINDOW_SEGMENTS,
    hlsMaxSegmentSeconds: v.HLS_MAX_SEGMENT_SECONDS,
    hlsMaxSegmentBytes: v.HLS_MAX_SEGMENT_BYTES,
    encodeMaxResolution: v.ENCODE_MAX_RESOLUTION,
    encodeMaxFps: v.ENCODE_MAX_FPS,
    // One encode per core by default, spread over the workers: a worst-case encode (at the
    // resolution and frame rate caps) takes most of a core.
    maxEncodesPerWorker: v.MAX_ENCODES_PER_WORKER ?? Math.max(1, Math.ceil(os.availableParallelism() / v.WORKERS)),
    logLevel,
    tls,
    cacheRefreshMs: v.CACHE_REFRESH_MS,
    chatRate: v.CHAT_RATE,
    chatBurst: v.CHAT_BURST,
    chatHeartbeatMs: v.CHAT_HEARTBEAT_MS,
    chatSendBufferBytes: v.CHAT_SEND_BUFFER_BYTES,
    maxConnectionsPerIp: v.MAX_CONNECTIONS_PER_IP,
    production,
  };
  Object.freeze(config.roomPorts);
  Object.freeze(config.encodeMaxResolution);
  Object.freeze(config.loadBalancers);
  Object.freeze(config.generatedKeys);
  if (config.tls) Object.freeze(config.tls);
  return Object.freeze(config);
}
