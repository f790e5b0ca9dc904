import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/loadConfig.js';

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
    [{ KEY: 'has space' }, /KEY="has space" must not contain whitespace/],
    [{ PORT: '8090' }, /ADMIN_PORT must differ from PORT/],
    [{ PORT: '34010' }, /ROOM_PORTS 34000-34999 contains PORT=34010/],
    [{ TLS_CERT: '/x.pem' }, /TLS_KEY must be set together/],
    [{ TLS_CERT: '/no/such.pem', TLS_KEY: '/no/such.key' }, /TLS_CERT cannot be read from \/no\/such.pem/],
  ])('refuses %j with one clear line', (env, pattern) => {
    const message = error(env as Record<string, string>);
    expect(message).toMatch(/^Invalid configuration: /);
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
  });

  it('refuses TLS files that are not PEM', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    writeFileSync(path.join(dir, 'cert'), 'not a certificate');
    expect(error({ TLS_CERT: path.join(dir, 'cert'), TLS_KEY: path.join(dir, 'cert') })).toMatch(/TLS_CERT file .* is not PEM/);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', MONGODB_URI: '' })).toMatchObject({ port: 80, mongodbUri: undefined });
  });
});
