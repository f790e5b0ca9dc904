import os from 'node:os';
import { z } from 'zod';
import { LOG_LEVELS } from '../contracts/logLevels.js';
import { boundedNumber, port, positiveInt, positiveNumber, secret } from '../kit/envParsing.js';
import { parseRange } from '../net/addresses.js';
import { isWebhookSecret } from '../kit/standardWebhooks.js';
import { STREAM_LIMITS } from './streamLimits.js';

const { segmentSeconds, windowSegments, partSeconds } = STREAM_LIMITS;

const portRange = z
  .string()
  .regex(/^\d+-\d+$/, 'must look like 34000-34999')
  .transform((value, ctx) => {
    const [first, last] = value.split('-').map(Number) as [number, number];
    if (first < 1 || last > 65535 || first > last) {
      ctx.addIssue({ code: 'custom', message: 'must be an ascending range inside 1-65535' });
      return z.NEVER;
    }
    return { first, last };
  });

const resolution = z
  .string()
  .regex(/^\d{2,5}x\d{2,5}$/, 'must look like 1920x1080')
  .transform((value, ctx) => {
    const [width, height] = value.split('x').map(Number) as [number, number];
    if (width < 16 || height < 16 || width > 7680 || height > 4320 || width % 2 !== 0 || height % 2 !== 0) {
      ctx.addIssue({ code: 'custom', message: 'must be even numbers between 16x16 and 7680x4320' });
      return z.NEVER;
    }
    return { width, height };
  });

const httpUrl = z
  .string()
  .trim()
  .transform((value, ctx) => {
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin + url.pathname.replace(/\/+$/, '');
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: `"${value}" is not an http(s) URL` });
    return z.NEVER;
  });

const urlList = z.string().transform((value, ctx) => {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const urls: string[] = [];
  for (const item of items) {
    const parsed = httpUrl.safeParse(item);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'invalid URL' });
      return z.NEVER;
    }
    urls.push(parsed.data);
  }
  return urls;
});

/** TRUST_PROXY: comma-separated addresses or CIDR ranges, IPv4 or IPv6. */
const addressRangeList = z.string().transform((value, ctx) => {
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = entries.find((entry) => parseRange(entry) === undefined);
  if (bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `"${bad}" is not an address or CIDR range` });
    return z.NEVER;
  }
  return entries;
});

/** AUTH_HOOK_URL: an http(s) URL kept whole (its path and query are the site's). */
const hookUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials in it');

const mongoUri = z
  .string()
  .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must start with mongodb:// or mongodb+srv://');

/**
 * One schema entry per environment variable, with the hint printed when it is wrong.
 * Empty strings count as unset, as a shell user would expect of `VAR= npm start`.
 */
export const envSchema = {
  PORT: { schema: port.default(80), hint: 'set PORT to a free port, e.g. PORT=8080' },
  ADMIN_PORT: { schema: port.default(8090), hint: 'set ADMIN_PORT to a free port, e.g. ADMIN_PORT=8091' },
  RTMP_PORT: { schema: port.optional(), hint: 'the shared RTMP port (OBS: rtmp://HOST/live), e.g. RTMP_PORT=1935, or unset it to turn it off' },
  KEY: { secret: true, schema: secret.optional(), hint: 'set KEY to a long random string or leave it unset to generate one' },
  ADMIN_KEY: { secret: true, schema: secret.optional(), hint: 'set ADMIN_KEY to a long random string or leave it unset to generate one' },
  TOKEN_SECRET: {
    secret: true,
    schema: secret.refine((v) => v.length >= 32, 'must be at least 32 characters').optional(),
    hint: 'set TOKEN_SECRET to a long random string (32+ characters) or leave it unset to derive the signing key from KEY',
  },
  LOADBALANCERS: { schema: urlList.default([]), hint: "e.g. LOADBALANCERS='https://lb1:2000,https://lb2:2001'" },
  LOADBALANCER_KEY: { secret: true, schema: secret.optional(), hint: 'set LOADBALANCER_KEY to the key the load balancers expect' },
  MONGODB_URI: { secret: true, schema: mongoUri.optional(), hint: 'e.g. MONGODB_URI=mongodb://localhost:27017/chatserver, or unset it for the embedded store' },
  DATA_DIR: { schema: z.string().min(1).default('./data'), hint: 'set DATA_DIR to a writable folder' },
  BACKUP_KEEP: { schema: positiveInt(1, 1_000).default(7), hint: 'backups of the embedded store kept in DATA_DIR/backups, e.g. BACKUP_KEEP=7' },
  HLS_DIR: { schema: z.string().min(1).optional(), hint: 'set HLS_DIR to a writable folder' },
  RECORDINGS_DIR: { schema: z.string().min(1).optional(), hint: 'set RECORDINGS_DIR to a writable folder' },
  RECORDINGS_RETENTION_DAYS: { schema: positiveInt(0, 36_500).default(30), hint: 'days a recording is kept (0: forever), e.g. RECORDINGS_RETENTION_DAYS=30' },
  RECORDINGS_MAX_BYTES: { schema: positiveInt(0, Number.MAX_SAFE_INTEGER).default(10 * 1024 ** 3), hint: 'disk budget of RECORDINGS_DIR in bytes (0: no budget), e.g. RECORDINGS_MAX_BYTES=10737418240' },
  WORKERS: { schema: positiveInt(1, 256).default(() => os.availableParallelism()), hint: 'e.g. WORKERS=2' },
  ROOM_PORTS: { schema: portRange.default({ first: 34000, last: 34999 }), hint: 'e.g. ROOM_PORTS=34000-34999' },
  PUBLIC_HOST: { schema: z.string().min(1).default(() => os.hostname()), hint: 'set PUBLIC_HOST to the host name clients use' },
  ADVERTISE_URL: {
    schema: httpUrl.optional(),
    hint: 'the URL load balancers use to reach this server, e.g. ADVERTISE_URL=http://chatserver:80',
  },
  FFMPEG_PATH: { schema: z.string().min(1).optional(), hint: 'set FFMPEG_PATH to an ffmpeg binary' },
  HLS_SEGMENT_SECONDS: {
    schema: boundedNumber(segmentSeconds.min, segmentSeconds.max).default(segmentSeconds.default),
    hint: 'seconds per HLS segment, e.g. HLS_SEGMENT_SECONDS=1',
  },
  HLS_MODE: {
    schema: z.enum(['ll', 'classic']).default('ll'),
    hint: 'll (Low-Latency HLS: fMP4 parts cut by the worker, blocking playlist reload) or classic (MPEG-TS segments written by ffmpeg)',
  },
  HLS_PART_SECONDS: {
    schema: boundedNumber(partSeconds.min, partSeconds.max).default(partSeconds.default),
    hint: 'seconds per Low-Latency HLS part, e.g. HLS_PART_SECONDS=0.2 (at most the segment length)',
  },
  HLS_MAX_HELD_PER_ADDRESS: {
    schema: positiveInt(1, 100_000).default(50),
    hint: 'blocking LL-HLS requests one address may have held in a room (behind a CDN or proxy, raise it), e.g. HLS_MAX_HELD_PER_ADDRESS=50',
  },
  HLS_MAX_HELD_PER_ROOM: {
    schema: positiveInt(1, 1_000_000).default(20_000),
    hint: 'blocking LL-HLS requests a room holds at once, e.g. HLS_MAX_HELD_PER_ROOM=20000',
  },
  HLS_WINDOW_SEGMENTS: {
    schema: positiveInt(windowSegments.min, windowSegments.max).default(windowSegments.default),
    hint: 'segments in the live playlist, e.g. HLS_WINDOW_SEGMENTS=6',
  },
  HLS_MAX_SEGMENT_SECONDS: {
    schema: boundedNumber(2, 60).default(10),
    hint: 'a copied stream whose keyframes are further apart is stopped, e.g. HLS_MAX_SEGMENT_SECONDS=10',
  },
  HLS_MAX_SEGMENT_BYTES: {
    schema: positiveInt(1_048_576, 1_073_741_824).default(25_165_824),
    hint: 'bytes a copied segment may reach, e.g. HLS_MAX_SEGMENT_BYTES=25165824 (24 MiB)',
  },
  STREAM_RESUME_SECONDS: {
    schema: boundedNumber(0, 300).default(5),
    hint: 'seconds a stream waits for its dropped publisher to come back before it ends (0: ends at once), e.g. STREAM_RESUME_SECONDS=5',
  },
  THUMBNAIL_SECONDS: {
    schema: boundedNumber(0, 3_600).default(5),
    hint: 'seconds between two poster frames of a live room (0: no thumbnails), e.g. THUMBNAIL_SECONDS=5',
  },
  THUMBNAIL_WIDTH: {
    schema: positiveInt(16, 1_920).default(320),
    hint: 'pixel width of a thumbnail (never wider than the stream; height keeps the aspect), e.g. THUMBNAIL_WIDTH=320',
  },
  LIVE_EVENTS_MAX_CLIENTS: {
    schema: positiveInt(0, 100_000).default(1_000),
    hint: 'Server-Sent Events clients of /api/v1/rooms/live/events at once (more get 503; 0: the feed is off), e.g. LIVE_EVENTS_MAX_CLIENTS=1000',
  },
  STREAM_STOP_REFUSE_SECONDS: {
    schema: boundedNumber(0, 86_400).default(30),
    hint: 'seconds a producer whose stream a moderator or operator stopped is refused, e.g. STREAM_STOP_REFUSE_SECONDS=30',
  },
  INGEST_MEDIA_TIMEOUT_SECONDS: {
    schema: boundedNumber(1, 600).default(10),
    hint: 'seconds an RTMP publisher may go without sending media (after publish, or mid-stream) before it is cut, e.g. INGEST_MEDIA_TIMEOUT_SECONDS=10',
  },
  ENCODE_MAX_RESOLUTION: {
    schema: resolution.default({ width: 1920, height: 1080 }),
    hint: 'WIDTHxHEIGHT that encodes are scaled down into, e.g. ENCODE_MAX_RESOLUTION=1920x1080',
  },
  ENCODE_MAX_FPS: { schema: positiveInt(1, 240).default(60), hint: 'e.g. ENCODE_MAX_FPS=60' },
  MAX_ENCODES_PER_WORKER: {
    schema: positiveInt(1, 1024).optional(),
    hint: 'streams one worker may encode at once, e.g. MAX_ENCODES_PER_WORKER=2',
  },
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS).optional(), hint: `one of ${LOG_LEVELS.join(', ')}` },
  TLS_CERT: { schema: z.string().min(1).optional(), hint: 'set TLS_CERT to a PEM certificate file' },
  TLS_KEY: { schema: z.string().min(1).optional(), hint: 'set TLS_KEY to a PEM private key file' },
  CACHE_REFRESH_MS: { schema: positiveInt(100, 86_400_000).default(30_000), hint: 'e.g. CACHE_REFRESH_MS=30000' },
  CHAT_RATE: { schema: positiveNumber.default(3), hint: 'messages per second, e.g. CHAT_RATE=3' },
  CHAT_BURST: { schema: positiveInt(1, 10_000).default(6), hint: 'e.g. CHAT_BURST=6' },
  MODERATION_RATE: { schema: positiveNumber.default(2), hint: 'kicks, mutes and bans per second per moderator connection, e.g. MODERATION_RATE=2' },
  MODERATION_BURST: { schema: positiveInt(1, 1_000).default(10), hint: 'e.g. MODERATION_BURST=10' },
  COMMIT_MAX_MESSAGES: {
    schema: positiveInt(1, 100_000).default(2_000),
    hint: 'chat messages in one store transaction at most (group commit); 1 commits each message alone, e.g. COMMIT_MAX_MESSAGES=2000',
  },
  STORE_JOURNAL_MAX_ENTRIES: {
    schema: positiveInt(1_000, 100_000_000).default(1_000_000),
    hint: 'writes the local journal may hold while MongoDB is unreachable; past it senders get NOT_PERSISTED, e.g. STORE_JOURNAL_MAX_ENTRIES=1000000',
  },
  MAX_ROOM_BANS: { schema: positiveInt(1, 1_000_000).default(10_000), hint: 'active bans chat moderators may set in one room, e.g. MAX_ROOM_BANS=10000' },
  CHAT_HEARTBEAT_MS: { schema: positiveInt(100, 600_000).default(30_000), hint: 'e.g. CHAT_HEARTBEAT_MS=30000' },
  CHAT_JOIN_TIMEOUT_MS: { schema: positiveInt(1_000, 600_000).default(10_000), hint: 'milliseconds a chat socket may stay unjoined, e.g. CHAT_JOIN_TIMEOUT_MS=10000' },
  MAX_CONNECTIONS_PER_IP: {
    schema: positiveInt(1, 1_000_000).default(200),
    hint: 'connections one address may hold to the room ports of one worker, e.g. MAX_CONNECTIONS_PER_IP=200',
  },
  CHAT_SEND_BUFFER_BYTES: { schema: positiveInt(16_384, 268_435_456).default(1_048_576), hint: 'e.g. CHAT_SEND_BUFFER_BYTES=1048576' },
  TRUST_PROXY: {
    schema: addressRangeList.default([]),
    hint: "addresses or CIDR ranges of your reverse proxies, e.g. TRUST_PROXY='127.0.0.1,10.0.0.0/8,::1'",
  },
  ROOM_REQUEST_TIMEOUT_MS: {
    schema: positiveInt(1_000, 3_600_000).default(30_000),
    hint: 'how long a room-port request body may take, e.g. ROOM_REQUEST_TIMEOUT_MS=30000',
  },
  INGEST_MAX_KBPS: { schema: positiveInt(16, 10_000_000).default(20_000), hint: 'kilobits per second one producer may push, e.g. INGEST_MAX_KBPS=20000' },
  INGEST_MIN_KBPS: { schema: boundedNumber(0, 10_000_000).default(8), hint: 'kilobits per second an HTTP ingest must keep up, e.g. INGEST_MIN_KBPS=8' },
  INGEST_BURST_SECONDS: { schema: boundedNumber(1, 600).default(10), hint: 'seconds of INGEST_MAX_KBPS a producer may send at once, e.g. INGEST_BURST_SECONDS=10' },
  INGEST_MAX_FRAMES_PER_SECOND: {
    schema: positiveInt(1, 100_000).default(100),
    hint: 'WebSocket frames per second one producer may send, e.g. INGEST_MAX_FRAMES_PER_SECOND=100',
  },
  WHIP_UDP_PORTS: {
    // werift takes a range of two ports at least (it refuses first === last when it binds).
    schema: portRange
      .refine((range) => range.last > range.first, 'must hold two ports at least (werift refuses a one-port range), e.g. 40000-40001')
      .optional(),
    hint: 'UDP ports for WebRTC (WHIP) ingest, one per live WHIP publisher; open them in the firewall, e.g. WHIP_UDP_PORTS=40000-40099',
  },
  WHIP_ICE_HOST: {
    schema: z.string().trim().min(1).optional(),
    hint: 'the IP address or host name WHIP publishers reach this server by (behind NAT: the public one), e.g. WHIP_ICE_HOST=203.0.113.7',
  },
  AUTH_HOOK_URL: {
    schema: hookUrl.optional(),
    hint: 'the http(s) URL asked before every chat join and publish (docs/integrations.md), e.g. AUTH_HOOK_URL=https://site.example/hooks/chat-auth, or unset it',
  },
  AUTH_HOOK_SECRET: {
    secret: true,
    schema: z
      .string()
      .trim()
      .refine(isWebhookSecret, 'must be whsec_ followed by base64 key bytes (16 bytes at least)')
      .optional(),
    hint: 'the Standard Webhooks secret the hook requests are signed with, e.g. AUTH_HOOK_SECRET=whsec_$(openssl rand -base64 24)',
  },
  AUTH_HOOK_TIMEOUT_MS: { schema: positiveInt(50, 30_000).default(2_000), hint: 'milliseconds the auth hook may take to answer, e.g. AUTH_HOOK_TIMEOUT_MS=2000' },
  AUTH_HOOK_FAILURE: {
    schema: z.enum(['deny', 'allow']).default('deny'),
    hint: 'what a join or publish gets when the hook times out, fails or answers neither 2xx nor 403: deny or allow',
  },
  AUTH_HOOK_CACHE_SECONDS: { schema: boundedNumber(0, 3_600).default(10), hint: "seconds an auth hook's allow is reused for the same user and room (0: ask every time), e.g. AUTH_HOOK_CACHE_SECONDS=10" },
  AUTH_HOOK_DENY_CACHE_SECONDS: {
    schema: boundedNumber(0, 3_600).default(2),
    hint: "seconds an auth hook's deny is reused (capped at AUTH_HOOK_CACHE_SECONDS), e.g. AUTH_HOOK_DENY_CACHE_SECONDS=2",
  },
  WEBHOOK_ALLOW_PRIVATE: {
    schema: z.enum(['0', '1']).default('0').transform((v) => v === '1'),
    hint: 'WEBHOOK_ALLOW_PRIVATE=1 lets webhook URLs point at loopback, private and link-local addresses (tests, a receiver on the same network); 0 refuses them',
  },
  WEBHOOK_TIMEOUT_MS: { schema: positiveInt(100, 60_000).default(10_000), hint: 'milliseconds a webhook request may take, e.g. WEBHOOK_TIMEOUT_MS=10000' },
  WEBHOOK_CONCURRENCY: { schema: positiveInt(1, 1_024).default(32), hint: 'requests in flight to one webhook endpoint at most (events/s = CONCURRENCY * 1000 / answer ms), e.g. WEBHOOK_CONCURRENCY=32' },
  WEBHOOK_MEMORY_QUEUE: {
    schema: positiveInt(100, 1_000_000).default(5_000),
    hint: 'webhook deliveries of one endpoint held in memory at most (the rest wait in the store), e.g. WEBHOOK_MEMORY_QUEUE=5000',
  },
  WEBHOOK_RETRY_BASE_MS: { schema: positiveInt(1, 3_600_000).default(1_000), hint: 'first retry delay bound in milliseconds (doubles each attempt, full jitter), e.g. WEBHOOK_RETRY_BASE_MS=1000' },
  WEBHOOK_RETRY_MAX_MS: { schema: positiveInt(1, 86_400_000).default(3_600_000), hint: 'largest retry delay bound in milliseconds, e.g. WEBHOOK_RETRY_MAX_MS=3600000' },
  WEBHOOK_RETRY_FOR_MS: { schema: positiveInt(1_000, 30 * 86_400_000).default(86_400_000), hint: 'how long a failing delivery is retried before it is dead, e.g. WEBHOOK_RETRY_FOR_MS=86400000 (24 h)' },
  WEBHOOK_PRESENCE_DEBOUNCE_MS: {
    schema: positiveInt(0, 600_000).default(10_000),
    hint: 'milliseconds a user who left may take to come back before user.left is sent (and their return is no new user.joined), e.g. WEBHOOK_PRESENCE_DEBOUNCE_MS=10000',
  },
  WEBHOOK_KEEP_DAYS: { schema: positiveInt(1, 3_650).default(7), hint: 'days delivered and dead webhook deliveries are kept for the deliveries list and replays, e.g. WEBHOOK_KEEP_DAYS=7' },
  NODE_ENV: { schema: z.string().optional(), hint: 'e.g. NODE_ENV=production' },
} as const;

export type EnvName = keyof typeof envSchema;
export type EnvValues = { [K in EnvName]: z.output<(typeof envSchema)[K]['schema']> };
