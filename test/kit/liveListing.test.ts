import { describe, expect, it } from 'vitest';
import { etagOf, liveRooms, matchesEtag, type ListedRoomSource } from '../../src/kit/liveListing.js';
import { mergeLiveRooms } from '../../loadbalancer/src/liveListing.js';
import type { ServerRecord } from '../../loadbalancer/src/serverRecord.js';

const room = (name: string, viewers: number, liveSince: number | null, extra: Partial<ListedRoomSource> = {}): ListedRoomSource => ({
  name,
  port: 34000,
  settings: {},
  clients: viewers,
  viewers,
  live: liveSince !== null,
  liveSince,
  thumbnail: false,
  ...extra,
});

describe('the live listing (pure)', () => {
  it('lists live rooms only, most viewers first, then the longest live, then by name', () => {
    const listed = liveRooms([room('off', 99, null), room('b', 5, 2_000), room('a', 5, 2_000), room('old', 5, 1_000), room('top', 9, 3_000)], 'example.org');
    expect(listed.map((entry) => entry.name)).toEqual(['top', 'old', 'a', 'b']);
  });

  it('shows the title setting, absolute URLs on PUBLIC_HOST and the thumbnail only once there is one', () => {
    const [titled] = liveRooms([room('r', 1, 0, { settings: { title: 'The show' }, port: 34005, thumbnail: true })], 'example.org');
    expect(titled).toEqual({
      name: 'r',
      title: 'The show',
      viewers: 1,
      chatUsers: 1,
      liveSince: '1970-01-01T00:00:00.000Z',
      thumbnailUrl: 'http://example.org:34005/thumbnail.jpg',
      playlistUrl: 'http://example.org:34005/hls/index.m3u8',
      port: 34005,
    });
    expect(liveRooms([room('r', 1, 0)], 'h')[0]).toMatchObject({ title: 'r', thumbnailUrl: null });
  });

  it('matches If-None-Match as RFC 9110 says: lists, weak forms and *', () => {
    const etag = etagOf('{"data":[]}');
    expect(etag).toBe(etagOf('{"data":[]}'));
    expect(etag).not.toBe(etagOf('{"data":[1]}'));
    expect(matchesEtag(etag, etag)).toBe(true);
    expect(matchesEtag(`"x", W/${etag}`, etag)).toBe(true);
    expect(matchesEtag('*', etag)).toBe(true);
    expect(matchesEtag('"x"', etag)).toBe(false);
    expect(matchesEtag(undefined, etag)).toBe(false);
  });

  it('on a load balancer, lists what older servers send too, and a room on two servers once', () => {
    const server = (id: string, lastSeen: number, rooms: ServerRecord['rooms']) => ({
      server: { id, url: `http://${id}`, adminUrl: '', host: `${id}.example`, workers: 1, version: '1', registeredAt: 0, lastSeen, reported: 'available', load: { cpu: 0, memory: 0, rooms: 0, clients: 0 }, rooms } satisfies ServerRecord,
      state: 'available' as const,
    });
    const [newer] = liveRooms([room('dup', 1, 5, { thumbnail: true })], 'new.example');
    const merged = mergeLiveRooms([
      server('old', 10, [{ name: 'legacy', port: 34001, clients: 3, live: true }, { name: 'dup', port: 34002, clients: 7, live: true }, { name: 'idle', port: 34003, clients: 0, live: false }]),
      server('new', 20, [{ name: 'dup', port: 34000, clients: 1, live: true, listing: newer }]),
    ]);
    expect(merged).toEqual([
      { name: 'legacy', title: 'legacy', viewers: 3, chatUsers: 3, liveSince: null, thumbnailUrl: null, playlistUrl: 'http://old.example:34001/hls/index.m3u8', port: 34001, server: 'old', host: 'old.example' },
      { ...newer, server: 'new', host: 'new.example' },
    ]);
  });
});
