import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hkdfSync } from 'node:crypto';
import { ConfigError, loadConfig, WORKER_TOKEN_KEY_ENV } from '../../src/config/loadConfig.js';

const error = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 80,
      adminPort: 8090,
      rtmpPort: undefined,
      loadBalancers: [],
      mongodbUri: undefined,
      dataDir: path.resolve('./data'),
      hlsDir: path.resolve('./data/hls'),
      workers: os.availableParallelism(),
      roomPorts: { first: 34000, last: 34999 },
      publicHost: os.hostname(),
      advertiseUrl: `http://${os.hostname()}:80`,
      hlsSegmentSeconds: 1,
      hlsWindowSegments: 6,
      logLevel: 'info',
      tls: undefined,
      cacheRefreshMs: 30000,
      chatRate: 3,
      chatBurst: 6,
      chatJoinTimeoutMs: 10000,
    });
    expect(loadConfig({ NODE_ENV: 'production' }).logLevel).toBe('fatal');
    expect(loadConfig({ ADVERTISE_URL: 'http://chatserver:8080/' }).advertiseUrl).toBe('http://chatserver:8080');
    expect(() => loadConfig({ ADVERTISE_URL: 'chatserver' })).toThrow(/ADVERTISE_URL/);
    expect(() => loadConfig({ HLS_SEGMENT_SECONDS: '0.1' })).toThrow(/HLS_SEGMENT_SECONDS/);
  });

  it('generates strong, distinct keys when KEY / ADMIN_KEY are unset', () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.generatedKeys).toEqual(['KEY', 'ADMIN_KEY']);
    expect(a.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.key).not.toBe(a.adminKey);
    expect(a.key).not.toBe(b.key);
    const set = loadConfig({ KEY: 'TESTING_KEY', ADMIN_KEY: 'ADMIN' });
    expect(set.generatedKeys).toEqual([]);
    expect(set.key).toBe('TESTING_KEY');
  });

  it('has media limits with defaults, a derived encoder count, and clear errors', () => {
    expect(loadConfig({ WORKERS: '1' })).toMatchObject({
      hlsMaxSegmentSeconds: 10,
      hlsMaxSegmentBytes: 24 * 1024 * 1024,
      encodeMaxResolution: { width: 1920, height: 1080 },
      encodeMaxFps: 60,
      maxEncodesPerWorker: os.availableParallelism(),
    });
    expect(loadConfig({ WORKERS: '256' }).maxEncodesPerWorker).toBe(1);
    expect(loadConfig({ ENCODE_MAX_RESOLUTION: '1280x720', MAX_ENCODES_PER_WORKER: '3' })).toMatchObject({
      encodeMaxResolution: { width: 1280, height: 720 },
      maxEncodesPerWorker: 3,
    });
    expect(error({ ENCODE_MAX_RESOLUTION: '4k' })).toMatch(/ENCODE_MAX_RESOLUTION="4k" must look like 1920x1080/);
    expect(error({ ENCODE_MAX_RESOLUTION: '1921x1080' })).toMatch(/must be even numbers/);
    expect(error({ ENCODE_MAX_FPS: '0' })).toMatch(/ENCODE_MAX_FPS="0" must be at least 1/);
    expect(error({ MAX_ENCODES_PER_WORKER: '0' })).toMatch(/MAX_ENCODES_PER_WORKER/);
    expect(error({ HLS_MAX_SEGMENT_SECONDS: '1' })).toMatch(/HLS_MAX_SEGMENT_SECONDS="1" must be at least 2/);
    expect(error({ HLS_MAX_SEGMENT_BYTES: '1000' })).toMatch(/HLS_MAX_SEGMENT_BYTES/);
  });

  it('has WHIP settings: any UDP port and PUBLIC_HOST by default, a range and a host when set', () => {
    expect(loadConfig({ PUBLIC_HOST: 'stream.example' }).whip).toEqual({ udpPorts: undefined, iceHost: 'stream.example' });
    expect(loadConfig({ WHIP_UDP_PORTS: '40000-40099', WHIP_ICE_HOST: '203.0.113.7' }).whip).toEqual({ udpPorts: { first: 40000, last: 40099 }, iceHost: '203.0.113.7' });
    expect(() => loadConfig({ WHIP_UDP_PORTS: '40000' })).toThrow(/WHIP_UDP_PORTS="40000" must look like 34000-34999/);
    expect(() => loadConfig({ WHIP_UDP_PORTS: '40000-40000' })).toThrow(/WHIP_UDP_PORTS="40000-40000" must hold two ports at least/);
    expect(loadConfig({ WHIP_UDP_PORTS: '40000-40001' }).whip.udpPorts).toEqual({ first: 40000, last: 40001 });
  });

  it('is frozen', () => {
    const config = loadConfig({ LOADBALANCERS: 'http://a:1', LOADBALANCER_KEY: 'k' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.roomPorts)).toBe(true);
    expect(Object.isFrozen(config.loadBalancers)).toBe(true);
  });

  it('parses the original deployment environment', () => {
    const config = loadConfig({
      KEY: 'TESTING_KEY',
      LOADBALANCERS: 'https://0.0.0.0:2000,https://0.0.0.0:2001/',
      LOADBALANCER_KEY: 'LB_TESTING_KEY',
      ADMIN_KEY: 'x',
      PORT: '80',
    });
    expect(config.loadBalancers).toEqual(['https://0.0.0.0:2000', 'https://0.0.0.0:2001']);
  });

  it('takes port 0 for both APIs: ports the system picks, which cannot be the same', () => {
    expect(loadConfig({ PORT: '0', ADMIN_PORT: '0' })).toMatchObject({ port: 0, adminPort: 0 });
  });

  it('turns the shared RTMP port on with RTMP_PORT (0: the system picks)', () => {
    expect(loadConfig({ RTMP_PORT: '1935' }).rtmpPort).toBe(1935);
    expect(loadConfig({ PORT: '0', ADMIN_PORT: '0', RTMP_PORT: '0' }).rtmpPort).toBe(0);
  });

  it.each([
    [{ PORT: 'abc' }, /PORT="abc" must be a port number/],
    [{ PORT: '70000' }, /PORT="70000" must be between 1 and 65535.*PORT=8080/],
    [{ ADMIN_PORT: '1.5' }, /ADMIN_PORT="1.5" must be a whole number/],
    [{ WORKERS: '0' }, /WORKERS="0" must be at least 1/],
    [{ ROOM_PORTS: '34000' }, /ROOM_PORTS="34000" must look like 34000-34999/],
    [{ ROOM_PORTS: '35000-34000' }, /ROOM_PORTS.*ascending/],
    [{ LOADBALANCERS: 'ftp://x' }, /LOADBALANCERS.*not an http\(s\) URL/],
    [{ LOADBALANCERS: 'http://lb:2000' }, /LOADBALANCER_KEY is required when LOADBALANCERS is set/],
    [{ MONGODB_URI: 'postgres://x' }, /MONGODB_URI.*mongodb:\/\//],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud".*fatal, error, warn, info, debug, trace, silent/],
    [{ CACHE_REFRESH_MS: '10' }, /CACHE_REFRESH_MS="10" must be at least 100/],
    [{ CHAT_RATE: '-1' }, /CHAT_RATE="-1" must be above 0/],
    [{ CHAT_BURST: 'many' }, /CHAT_BURST="many" must be a number/],
    [{ CHAT_JOIN_TIMEOUT_MS: '10' }, /CHAT_JOIN_TIMEOUT_MS="10" must be at least 1000/],
    [{ MODERATION_RATE: '0' }, /MODERATION_RATE="0" must be above 0/],
    [{ MAX_ROOM_BANS: '0' }, /MAX_ROOM_BANS="0" must be at least 1/],
    [{ KEY: 'has space' }, /KEY must not contain whitespace/],
    [{ PORT: '8090' }, /ADMIN_PORT must differ from PORT/],
    [{ PORT: '34010' }, /ROOM_PORTS 34000-34999 contains PORT=34010/],
    [{ RTMP_PORT: '8090' }, /RTMP_PORT must differ from PORT and ADMIN_PORT/],
    [{ RTMP_PORT: '34001' }, /ROOM_PORTS 34000-34999 contains RTMP_PORT=34001/],
    [{ RTMP_PORT: 'rtmp' }, /RTMP_PORT="rtmp" must be a port number/],
    [{ TLS_CERT: '/x.pem' }, /TLS_KEY must be set together/],
    [{ TLS_CERT: '/no/such.pem', TLS_KEY: '/no/such.key' }, /TLS_CERT cannot be read from \/no\/such.pem/],
    [{ TOKEN_SECRET: 'short' }, /TOKEN_SECRET must be at least 32 characters/],
    [{ TRUST_PROXY: '127.0.0.1,10.0.0.0/33' }, /TRUST_PROXY=.*"10.0.0.0\/33" is not an address or CIDR range/],
    [{ TRUST_PROXY: 'nginx' }, /TRUST_PROXY=.*"nginx" is not an address or CIDR range/],
    [{ KEY: 'same-key-for-both-apis', ADMIN_KEY: 'same-key-for-both-apis' }, /ADMIN_KEY must differ from KEY/],
    [{ NODE_ENV: 'production', KEY: 'changeme' }, /KEY is a well-known example value; NODE_ENV=production refuses it/],
    [{ NODE_ENV: 'production', ADMIN_KEY: 'abc123' }, /ADMIN_KEY is shorter than 16 characters; NODE_ENV=production refuses it/],
  ])('refuses %j with one clear line', (env, pattern) => {
    const message = error(env as Record<string, string>);
    for (const name of ['KEY', 'ADMIN_KEY', 'TOKEN_SECRET', 'MONGODB_URI'] as const) {
      const value = (env as Record<string, string>)[name];
      if (value !== undefined) expect(message).not.toContain(value);
    }
    expect(message).toMatch(/^Invalid configuration: /);
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
  });

  it('refuses TLS files that are not PEM', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    writeFileSync(path.join(dir, 'cert'), 'not a certificate');
    expect(error({ TLS_CERT: path.join(dir, 'cert'), TLS_KEY: path.join(dir, 'cert') })).toMatch(/TLS_CERT file .* is not PEM/);
  });

  it('derives the token key from KEY (never KEY itself), or takes TOKEN_SECRET as it is', () => {
    const derived = loadConfig({ KEY: 'a-long-enough-api-key-123' }).tokenKey;
    expect(Buffer.from(derived)).toEqual(Buffer.from(hkdfSync('sha256', 'a-long-enough-api-key-123', 'chatserver', 'join-token-hs256-v1', 32)));
    expect(Buffer.from(derived).toString()).not.toContain('a-long-enough-api-key-123');
    const secret = 'x'.repeat(40);
    expect(Buffer.from(loadConfig({ KEY: 'a-long-enough-api-key-123', TOKEN_SECRET: secret }).tokenKey).toString()).toBe(secret);
  });

  it('lists weak keys outside production, and parses TRUST_PROXY', () => {
    expect(loadConfig({ KEY: 'TESTING_KEY', ADMIN_KEY: 'a-long-enough-admin-key' }).weakKeys).toEqual([{ variable: 'KEY', reason: 'is a well-known example value' }]);
    expect(loadConfig({}).weakKeys).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: ' 127.0.0.1, ::1 ,10.0.0.0/8' }).trustProxy).toEqual(['127.0.0.1', '::1', '10.0.0.0/8']);
  });

  it('gives a room worker the token key from the primary and none of the secrets', () => {
    const primary = loadConfig({ KEY: 'a-long-enough-api-key-123', ADMIN_KEY: 'a-long-enough-admin-key', MONGODB_URI: 'mongodb://db/x' });
    const env = { [WORKER_TOKEN_KEY_ENV]: Buffer.from(primary.tokenKey).toString('base64url') };
    const worker = loadConfig(env, 'worker');
    expect(Buffer.from(worker.tokenKey)).toEqual(Buffer.from(primary.tokenKey));
    expect(worker).toMatchObject({ key: '', adminKey: '', loadBalancerKey: undefined, mongodbUri: undefined, generatedKeys: [] });
    expect(() => loadConfig({}, 'worker')).toThrow(/CHATSERVER_TOKEN_KEY is missing/);
  });

  it('has room-port and ingest limits a real site would want, in bytes for the code', () => {
    const config = loadConfig({});
    expect(config.roomRequestTimeoutMs).toBe(30_000);
    expect(config.maxConnectionsPerIp).toBe(200);
    expect(config.ingest).toEqual({ maxBytesPerSecond: 2_500_000, minBytesPerSecond: 1_000, burstSeconds: 10, maxFramesPerSecond: 100, rateWindowMs: 30_000, mediaTimeoutMs: 10_000 });
    expect(Object.isFrozen(config.ingest)).toBe(true);
    expect(loadConfig({ INGEST_MIN_KBPS: '0' }).ingest.minBytesPerSecond).toBe(0);
    expect(error({ INGEST_MIN_KBPS: '50', INGEST_MAX_KBPS: '40' })).toMatch(/^Invalid configuration: INGEST_MIN_KBPS must be below INGEST_MAX_KBPS/);
    expect(error({ ROOM_REQUEST_TIMEOUT_MS: '10' })).toMatch(/ROOM_REQUEST_TIMEOUT_MS="10" must be at least 1000/);
    expect(error({ INGEST_MAX_FRAMES_PER_SECOND: '0' })).toMatch(/INGEST_MAX_FRAMES_PER_SECOND="0" must be at least 1/);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', MONGODB_URI: '' })).toMatchObject({ port: 80, mongodbUri: undefined });
  });
});
