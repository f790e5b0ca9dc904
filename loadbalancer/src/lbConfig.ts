import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from '../../src/contracts/logLevels.js';
import { ConfigError, parseEnv, port, positiveInt, readPem, secret, type Env } from '../../src/kit/envParsing.js';
import { PLACEMENT_POLICIES, type PolicyName } from './placementPolicies.js';

const fraction = z.coerce.number({ error: 'must be a number' }).gt(0, 'must be above 0').max(1, 'must be at most 1');

/** The load balancer's environment: one schema per variable, with the hint shown when it is wrong. */
export const lbEnv = {
  PORT: { schema: port.default(2000), hint: 'e.g. PORT=2000' },
  LOADBALANCER_KEY: { secret: true, schema: secret, hint: 'set LOADBALANCER_KEY to the key the chat servers send (LOADBALANCER_KEY on their side)' },
  HEARTBEAT_MS: { schema: positiveInt(250, 60_000).default(2_000), hint: 'the interval chat servers report at, e.g. HEARTBEAT_MS=2000' },
  STALE_AFTER_BEATS: { schema: positiveInt(2, 100).default(3), hint: 'missed heartbeats before a server is stale, e.g. STALE_AFTER_BEATS=3' },
  DROP_AFTER_MS: { schema: positiveInt(1_000, 86_400_000).default(60_000), hint: 'silence before a stale server is dropped, e.g. DROP_AFTER_MS=60000' },
  WARNING_LOAD: { schema: fraction.default(0.7), hint: 'cpu or memory share that marks a server warning, e.g. WARNING_LOAD=0.7' },
  FULL_LOAD: { schema: fraction.default(0.9), hint: 'cpu or memory share that marks a server full, e.g. FULL_LOAD=0.9' },
  PLACEMENT: { schema: z.enum(Object.keys(PLACEMENT_POLICIES) as [PolicyName, ...PolicyName[]]).default('least-loaded'), hint: `one of ${Object.keys(PLACEMENT_POLICIES).join(', ')}` },
  TLS_CERT: { schema: z.string().min(1).optional(), hint: 'set TLS_CERT to a PEM certificate file' },
  TLS_KEY: { schema: z.string().min(1).optional(), hint: 'set TLS_KEY to a PEM private key file' },
  LIVE_EVENTS_MAX_CLIENTS: {
    schema: positiveInt(0, 100_000).default(1_000),
    hint: 'Server-Sent Events clients of /api/v1/rooms/live/events at once (more get 503; 0: the feed is off), e.g. LIVE_EVENTS_MAX_CLIENTS=1000',
  },
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS).default('info'), hint: `one of ${LOG_LEVELS.join(', ')}` },
} as const;

export interface LbConfig {
  readonly port: number;
  readonly key: string;
  readonly heartbeatMs: number;
  readonly staleAfterBeats: number;
  readonly dropAfterMs: number;
  readonly warningLoad: number;
  readonly fullLoad: number;
  readonly placement: PolicyName;
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  readonly logLevel: LogLevel;
  /** Server-Sent Events clients of the live listing at once (0: off). */
  readonly liveEventsMaxClients: number;
}

export function loadLbConfig(env: Env = process.env): LbConfig {
  const v = parseEnv(lbEnv, env);
  if (Boolean(v.TLS_CERT) !== Boolean(v.TLS_KEY)) {
    throw new ConfigError(v.TLS_CERT ? 'TLS_KEY' : 'TLS_CERT', 'must be set together with the other TLS variable', 'set both TLS_CERT and TLS_KEY, or neither');
  }
  if (v.WARNING_LOAD >= v.FULL_LOAD) throw new ConfigError('WARNING_LOAD', `must be below FULL_LOAD (${v.FULL_LOAD})`);
  if (v.DROP_AFTER_MS <= v.HEARTBEAT_MS * v.STALE_AFTER_BEATS) {
    throw new ConfigError('DROP_AFTER_MS', 'must be longer than HEARTBEAT_MS x STALE_AFTER_BEATS', 'a server is stale first, dropped later');
  }
  return Object.freeze({
    port: v.PORT,
    key: v.LOADBALANCER_KEY,
    heartbeatMs: v.HEARTBEAT_MS,
    staleAfterBeats: v.STALE_AFTER_BEATS,
    dropAfterMs: v.DROP_AFTER_MS,
    warningLoad: v.WARNING_LOAD,
    fullLoad: v.FULL_LOAD,
    placement: v.PLACEMENT,
    tls: v.TLS_CERT && v.TLS_KEY ? Object.freeze({ cert: readPem('TLS_CERT', v.TLS_CERT), key: readPem('TLS_KEY', v.TLS_KEY) }) : undefined,
    logLevel: v.LOG_LEVEL,
    liveEventsMaxClients: v.LIVE_EVENTS_MAX_CLIENTS,
  });
}
