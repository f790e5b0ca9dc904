import { describe, expect, it } from 'vitest';
import { ADMIN_PAGE_POLICY, isCspHost, MAX_LISTED_PORTS, roomPagePolicy, roomSources } from '../../src/http/contentSecurityPolicy.js';

const directives = (policy: string) => new Map(policy.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

describe('content security policy', () => {
  it('allows no inline script, no eval, no framing, and only its own origin by default', () => {
    for (const policy of [roomPagePolicy(['chat.test'], { first: 34000, last: 34999 }), ADMIN_PAGE_POLICY]) {
      const d = directives(policy);
      expect(d.get('default-src')).toEqual(["'self'"]);
      expect(d.get('script-src')).toEqual(["'self'"]);
      expect(d.get('style-src')).toEqual(["'self'"]);
      expect(d.get('object-src')).toEqual(["'none'"]);
      expect(d.get('base-uri')).toEqual(["'none'"]);
      expect(d.get('frame-ancestors')).toEqual(["'none'"]);
      expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
    }
    expect(directives(ADMIN_PAGE_POLICY).get('connect-src')).toEqual(["'self'"]);
    expect(directives(ADMIN_PAGE_POLICY).get('img-src')).toEqual(["'self'"]);
  });

  it('lets the room pages reach the room ports of their host, and play MediaSource blobs', () => {
    const d = directives(roomPagePolicy(['chat.test', 'CHAT.test', 'other.test'], { first: 34000, last: 34999 }));
    expect(d.get('connect-src')).toEqual([
      "'self'",
      ...['chat.test', 'other.test'].flatMap((host) => ['ws', 'wss', 'http', 'https'].map((scheme) => `${scheme}://${host}:*`)),
    ]);
    expect(d.get('media-src')).toEqual(["'self'", 'blob:', 'http://chat.test:*', 'https://chat.test:*', 'http://other.test:*', 'https://other.test:*']);
    expect(d.get('worker-src')).toEqual(["'self'", 'blob:']);
    // The room's poster frame (/thumbnail.jpg on its port): over the player, and on the rooms page's live cards.
    expect(d.get('img-src')).toEqual(["'self'", 'http://chat.test:*', 'https://chat.test:*', 'http://other.test:*', 'https://other.test:*']);
    expect(directives(ADMIN_PAGE_POLICY).get('img-src')).toEqual(["'self'"]);
  });

  it('lists the room ports one by one when the range is small', () => {
    expect(roomSources(['127.0.0.1'], { first: 34000, last: 34001 }, ['ws'])).toEqual(['ws://127.0.0.1:34000', 'ws://127.0.0.1:34001']);
    expect(roomSources(['h'], { first: 1, last: MAX_LISTED_PORTS }, ['ws'])).toHaveLength(MAX_LISTED_PORTS);
    expect(roomSources(['h'], { first: 1, last: MAX_LISTED_PORTS + 1 }, ['ws'])).toEqual(['ws://h:*']);
  });

  it('leaves out hosts CSP cannot match or that would smuggle directives, falling back to schemes', () => {
    for (const host of ['[::1]', 'a b', 'x;script-src *', "'unsafe-inline'", '', 'a..b']) expect(isCspHost(host), host).toBe(false);
    expect(roomSources(['[::1]', 'ok.test'], { first: 1, last: 100 }, ['ws'])).toEqual(['ws://ok.test:*']);
    expect(roomSources(['[::1]'], { first: 1, last: 100 }, ['http', 'https'])).toEqual(['http:', 'https:']);
  });
});
