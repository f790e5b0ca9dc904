import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiAnswer, serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** The directives of a Content-Security-Policy header, by name. */
const csp = (answer: ApiAnswer) => new Map((answer.headers.get('content-security-policy') ?? '').split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));

/** The page's CSP as answered to a request with this Host header (fetch does not let a caller set Host). */
const cspWithHost = (port: number, path: string, host: string) =>
  new Promise<string>((resolve, reject) => {
    http
      .get({ port, path, host: '127.0.0.1', headers: { host } }, (res) => {
        res.resume();
        resolve(String(res.headers['content-security-policy']));
      })
      .on('error', reject);
  });

const expectBaseHeaders = (answer: ApiAnswer) => {
  expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  expect(answer.headers.get('x-frame-options')).toBe('DENY');
  expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
};

describe('security headers on the pages and the APIs (real server)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 4 });
    await server.createRoom('headers');
  });

  it('gives every public page a strict CSP that reaches the room ports of its host only', async () => {
    const { first, last } = server.roomPorts;
    // (The HTML files are also reachable as assets: they get the same policy.)
    for (const page of ['/', '/watch/headers', '/broadcast/headers?token=x', '/replay/headers/0mx5lqji05934', '/assets/watch.html']) {
      const answer = await server.api('GET', page);
      expect(answer.status, page).toBe(200);
      expectBaseHeaders(answer);
      const d = csp(answer);
      expect(d.get('default-src'), page).toEqual(["'self'"]);
      expect(d.get('script-src'), page).toEqual(["'self'"]);
      expect(d.get('style-src'), page).toEqual(["'self'"]);
      expect(d.get('frame-ancestors'), page).toEqual(["'none'"]);
      const connect = d.get('connect-src')!;
      for (let port = first; port <= last; port += 1) expect(connect).toEqual(expect.arrayContaining([`ws://127.0.0.1:${port}`, `http://127.0.0.1:${port}`]));
      expect(connect.filter((source) => !source.includes('127.0.0.1'))).toEqual(["'self'"]);
      expect(d.get('media-src')).toEqual(expect.arrayContaining(['blob:']));
      expect(d.get('worker-src')).toEqual(["'self'", 'blob:']);
    }
  });

  it('names the host the page was reached by (the pages build room URLs from it)', async () => {
    const { first } = server.roomPorts;
    const named = await cspWithHost(server.port, '/watch/headers', `localhost:${server.port}`);
    expect(named).toContain(`ws://localhost:${first} `);
    expect(named).toContain(`ws://127.0.0.1:${first} `);
    const odd = await cspWithHost(server.port, '/watch/headers', 'x;script-src');
    expect(odd).not.toContain('x;');
    expect(odd).toContain("script-src 'self';");
  });

  it('gives the admin page a CSP, X-Frame-Options and no key', async () => {
    const page = await server.api('GET', '/admin', { admin: true });
    expect(page.status).toBe(200);
    expectBaseHeaders(page);
    const d = csp(page);
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    const script = await server.api('GET', '/admin/assets/build/admin.js', { admin: true });
    expect(script.status).toBe(200);
    expectBaseHeaders(script);
    const asset = await server.api('GET', '/admin/assets/admin.html', { admin: true });
    expect(asset.headers.get('content-security-policy')).toBe(page.headers.get('content-security-policy'));
  });

  it('serves the icon on both ports, without the key on the admin port', async () => {
    for (const [path, admin] of [['/favicon.ico', false], ['/favicon.svg', false], ['/favicon.ico', true], ['/favicon.svg', true]] as const) {
      const icon = await server.api('GET', path, { admin });
      expect(icon.status, `${path} admin=${admin}`).toBe(200);
      expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect(String(icon.body)).toContain('<svg');
      expectBaseHeaders(icon);
    }
    // The key is still needed for everything else on the admin port.
    expect((await server.api('GET', '/favicon.png', { admin: true })).status).toBe(401);
  });

  it('sends nosniff with JSON answers and errors of both APIs and the room ports, and with the assets', async () => {
    for (const answer of [
      await server.api('GET', '/api/v1/'),
      await server.api('GET', '/api/v1/room/headers'),
      await server.api('GET', '/api/v1/room/nosuchroom'),
      await server.api('POST', '/api/v1/room/headers', { key: 'wrong' }),
      await server.api('GET', '/no/such/route'),
      await server.api('GET', '/assets/build/watch.js'),
      await server.admin('GET', '/api/v1/rooms'),
      await server.api('GET', '/api/v1/rooms', { admin: true }),
    ]) {
      expectBaseHeaders(answer);
    }
    // The room ports' JSON (health, ingest checks, errors) is read by the pages across origins.
    const roomPort = (await server.api('GET', '/api/v1/room/headers')).body.data.port as number;
    for (const path of ['/health', '/no/such/path', '/ingest']) {
      const answer = await fetch(`http://127.0.0.1:${roomPort}${path}`);
      expect(answer.headers.get('content-type'), path).toMatch(/^application\/json/);
      expect(answer.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });
});
