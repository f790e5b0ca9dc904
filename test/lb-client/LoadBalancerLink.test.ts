import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../src/contracts/lbWire.js';
import { createLogger } from '../../src/kit/createLogger.js';
import { LoadBalancerLink } from '../../src/lb-client/LoadBalancerLink.js';

/** One request the test's load balancer got, and what it answered. */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly body: { rooms?: Array<Record<string, unknown>> };
  readonly status: number;
}

const REPORT: HealthReport = {
  status: 'available',
  load: { cpu: 0.1, memory: 0.2, rooms: 2, clients: 3 },
  rooms: [
    { name: 'stage', port: 34000, clients: 3, live: true, listing: { name: 'stage', title: 'Stage', viewers: 3, chatUsers: 3, liveSince: '2026-01-01T00:00:00.000Z', thumbnailUrl: null, playlistUrl: 'http://h:34000/hls/index.m3u8', port: 34000 } },
    { name: 'idle', port: 34001, clients: 0, live: false },
  ],
};

/**
 * A real HTTP server in the test speaking the load balancer's API as one older than the live
 * listing does: it answers 400 to a heartbeat whose rooms carry `listing` (it validated room
 * entries strictly). Once `upgraded`, it answers 404 to the next heartbeat (it restarted) and
 * takes listings from then on; `upgradedInPlace` takes them without that restart. Every request is kept, and `waitFor` resolves on the first
 * request (from `from` on) that matches.
 */
async function olderLoadBalancer(refusal = 'rooms.0: Unrecognized key: "listing"') {
  const seen: Seen[] = [];
  const waiters: Array<() => void> = [];
  const state = { upgraded: false, restarted: false, upgradedInPlace: false };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Seen['body']) : {};
      const listed = body.rooms?.some((room) => 'listing' in room) ?? false;
      let status = 200;
      let answer: unknown = { data: {} };
      if (req.method === 'POST') answer = { data: { id: 'srv-1', heartbeatMs: 250 } };
      else if (state.upgraded && !state.restarted) [status, state.restarted] = [404, true];
      else if (listed && !state.upgraded && !state.upgradedInPlace) [status, answer] = [400, { error: { code: 'BAD_REQUEST', message: refusal } }];
      seen.push({ method: req.method!, url: req.url!, body, status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const waitFor = async (from: number, test: (request: Seen) => boolean): Promise<number> => {
    for (;;) {
      const at = seen.findIndex((request, index) => index >= from && test(request));
      if (at >= 0) return at;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, state, waitFor, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const isHeartbeat = (request: Seen) => request.method === 'PUT';
const hasListing = (request: Seen) => request.body.rooms?.some((room) => 'listing' in room) ?? false;

describe('LoadBalancerLink with a load balancer older than the live listing', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  /** A started link to the load balancer at `baseUrl` reporting REPORT; its log lines (info and up) are kept. */
  const startLink = (baseUrl: string, options: { listingRetryMs?: number } = {}) => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>), done()) });
    const link = new LoadBalancerLink({
      baseUrl,
      key: 'LB_KEY',
      registration: { url: 'http://h:80', adminUrl: 'http://h:8090', host: 'h', workers: 1, version: '1.0.0' },
      report: () => Promise.resolve(REPORT),
      logger: createLogger('info', {}, { destination }),
      ...options,
    });
    closers.push(() => link.close(false));
    link.start();
    return { link, lines };
  };

  it('sends the refused heartbeat again without listings, leaves them out until registered again, and logs it once', async () => {
    const lb = await olderLoadBalancer();
    closers.push(lb.close);
    const { lines } = startLink(lb.url);

    // The first heartbeat carries listings and is refused; the same report follows at once without them, and is taken.
    const refused = await lb.waitFor(0, isHeartbeat);
    expect(lb.seen[refused]).toMatchObject({ status: 400 });
    expect(hasListing(lb.seen[refused]!)).toBe(true);
    const resent = await lb.waitFor(refused + 1, isHeartbeat);
    expect(lb.seen[resent]).toMatchObject({ status: 200, body: { rooms: [{ name: 'stage', port: 34000, clients: 3, live: true }, { name: 'idle', port: 34001, clients: 0, live: false }] } });
    expect(hasListing(lb.seen[resent]!)).toBe(false);

    // Later heartbeats go without listings straight away: no more refusals, one warning.
    const third = await lb.waitFor((await lb.waitFor(resent + 1, isHeartbeat)) + 1, isHeartbeat);
    expect(lb.seen.slice(resent).filter(isHeartbeat).every((request) => request.status === 200 && !hasListing(request))).toBe(true);
    expect(lines.filter((line) => String(line.msg).includes('refused room listings'))).toHaveLength(1);

    // Upgraded and restarted: it answers 404, the link registers again and sends listings again, which are taken now.
    lb.state.upgraded = true;
    const reregistered = await lb.waitFor(third + 1, (request) => request.method === 'POST');
    const listed = await lb.waitFor(reregistered + 1, isHeartbeat);
    expect(lb.seen[listed]).toMatchObject({ status: 200 });
    expect(hasListing(lb.seen[listed]!)).toBe(true);
  });

  it('keeps listings after a 400 about something else: that refusal is reported as it is', async () => {
    const lb = await olderLoadBalancer('load.cpu: Too big: expected number to be <=1');
    closers.push(lb.close);
    startLink(lb.url);
    const first = await lb.waitFor(0, isHeartbeat);
    const second = await lb.waitFor(first + 1, isHeartbeat);
    // No bare resend: the next heartbeat (after the retry delay) carries the listings again.
    expect([lb.seen[first], lb.seen[second]].map((request) => [request!.status, hasListing(request!)])).toEqual([
      [400, true],
      [400, true],
    ]);
  });

  it('tries listings again after listingRetryMs: one upgraded in place (no restart, no 404) gets them again', async () => {
    const lb = await olderLoadBalancer();
    closers.push(lb.close);
    const { lines } = startLink(lb.url, { listingRetryMs: 600 });
    const refused = await lb.waitFor(0, (request) => isHeartbeat(request) && request.status === 400);
    // Refused again after the retry time: still one warning (the retries are logged at debug).
    const again = await lb.waitFor(refused + 1, (request) => isHeartbeat(request) && request.status === 400);
    expect(lb.seen.slice(refused + 1, again).filter(isHeartbeat).every((request) => !hasListing(request))).toBe(true);
    expect(lb.seen.slice(refused + 1, again).filter(isHeartbeat).length).toBeGreaterThan(0);
    expect(lines.filter((line) => String(line.msg).includes('refused room listings'))).toHaveLength(1);
    lb.state.upgradedInPlace = true;
    const taken = await lb.waitFor(again + 1, (request) => isHeartbeat(request) && hasListing(request));
    expect(lb.seen[taken]).toMatchObject({ status: 200 });
    expect(lb.seen.slice(again).some((request) => request.method === 'POST')).toBe(false);
  });
});
