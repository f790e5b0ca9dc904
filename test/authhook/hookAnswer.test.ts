import { describe, expect, it } from 'vitest';
import { parseAllow, parseDenyReason, DEFAULT_DENY_REASON } from '../../src/authhook/hookAnswer.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { newWebhookSecret } from '../../src/kit/standardWebhooks.js';

describe('auth hook answers', () => {
  it('reads an allow: empty, name, a role kept or lowered, expiresAt in ms or ISO', () => {
    expect(parseAllow('', 'producer')).toEqual({ allow: true });
    expect(parseAllow('{"name":"Ann","role":"viewer","expiresAt":1767312000000}', 'moderator')).toEqual({ allow: true, name: 'Ann', role: 'viewer', expiresAt: 1767312000000 });
    expect(parseAllow('{"role":"producer","expiresAt":"2026-01-02T00:00:00Z"}', 'producer')).toEqual({ allow: true, role: 'producer', expiresAt: Date.parse('2026-01-02T00:00:00Z') });
  });

  it('finds a problem in an allow that raises a role or is not usable', () => {
    expect(parseAllow('{"role":"moderator"}', 'viewer')).toHaveProperty('problem');
    expect(parseAllow('{"role":"producer"}', 'moderator')).toHaveProperty('problem');
    expect(parseAllow('[1]', 'viewer')).toHaveProperty('problem');
    expect(parseAllow('not json', 'viewer')).toHaveProperty('problem');
    expect(parseAllow('{"expiresAt":"soon"}', 'viewer')).toHaveProperty('problem');
    expect(parseAllow(JSON.stringify({ name: 'x'.repeat(65) }), 'viewer')).toHaveProperty('problem');
  });

  it("reads a deny's reason, bounded, with a default", () => {
    expect(parseDenyReason('{"reason":" No credit "}')).toBe('No credit');
    expect(parseDenyReason('')).toBe(DEFAULT_DENY_REASON);
    expect(parseDenyReason('{"reason":42}')).toBe(DEFAULT_DENY_REASON);
    expect(parseDenyReason(JSON.stringify({ reason: 'r'.repeat(1000) }))).toHaveLength(200);
  });
});

describe('AUTH_HOOK_* configuration', () => {
  const base = { KEY: 'k'.repeat(40), ADMIN_KEY: 'a'.repeat(40) };
  it('refuses a hook URL without its secret, a bad secret, and a non-http URL, in one line naming the variable', () => {
    expect(() => loadConfig({ ...base, AUTH_HOOK_URL: 'https://site.example/hook' })).toThrow(/AUTH_HOOK_SECRET is required when AUTH_HOOK_URL is set/);
    expect(() => loadConfig({ ...base, AUTH_HOOK_URL: 'https://site.example/hook', AUTH_HOOK_SECRET: 'hunter2' })).toThrow(/^Invalid configuration: AUTH_HOOK_SECRET must be whsec_/);
    expect(() => loadConfig({ ...base, AUTH_HOOK_URL: 'ftp://site.example/hook', AUTH_HOOK_SECRET: newWebhookSecret() })).toThrow(/AUTH_HOOK_URL=.*http\(s\) URL/);
  });

  it('keeps the URL whole and caps the deny cache at the allow cache', () => {
    const secret = newWebhookSecret();
    const config = loadConfig({ ...base, AUTH_HOOK_URL: 'https://site.example/hook?site=a', AUTH_HOOK_SECRET: secret, AUTH_HOOK_CACHE_SECONDS: '1' });
    expect(config.authHook).toEqual({ url: 'https://site.example/hook?site=a', secret, timeoutMs: 2000, failure: 'deny', cacheMs: 1000, denyCacheMs: 1000 });
    expect(loadConfig(base).authHook).toBeUndefined();
  });
});
