import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BanIndex } from '../../src/chat/BanIndex.js';
import { ChatPolicy } from '../../src/chat/ChatPolicy.js';
import { RevocationIndex } from '../../src/chat/RevocationIndex.js';
import { ipBanKey } from '../../src/chat/banKeys.js';
import { MessageIdGenerator } from '../../src/chat/messageIds.js';
import { cleanName, nameKey } from '../../src/chat/names.js';
import { parseClientFrame } from '../../src/chat/protocol.js';
import { buildWordFilter } from '../../src/chat/textFilter.js';
import { TokenBucket } from '../../src/kit/TokenBucket.js';
import { signRoomToken, verifyRoomToken } from '../../src/chat/tokens.js';
import { textFrame } from '../../src/chat/wsFrame.js';
import { DEFAULT_SETTINGS, type BanRecord, type RevocationRecord } from '../../src/contracts/records.js';

/** A policy over these bans and revocations, indexed as a worker holds them. */
function policyOf(settings: typeof DEFAULT_SETTINGS, bans: readonly BanRecord[] = [], revocations: readonly RevocationRecord[] = []): ChatPolicy {
  const banIndex = new BanIndex();
  banIndex.replaceAll(bans);
  const revocationIndex = new RevocationIndex();
  revocationIndex.replaceAll(revocations);
  return new ChatPolicy(settings, { chatRate: 3, chatBurst: 6 }, banIndex, revocationIndex);
}

describe('parseClientFrame', () => {
  it('accepts every documented client frame', () => {
    expect(parseClientFrame('{"type":"join","name":"Ann","ref":1}')).toEqual({ ok: true, frame: { type: 'join', name: 'Ann', token: undefined, ref: 1 } });
    expect(parseClientFrame('{"type":"message","text":"hi","ref":"a"}')).toEqual({ ok: true, frame: { type: 'message', text: 'hi', ref: 'a' } });
    expect(parseClientFrame('{"type":"typing"}')).toEqual({ ok: true, frame: { type: 'typing' } });
    expect(parseClientFrame('{"type":"history","before":"x"}')).toMatchObject({ ok: true, frame: { type: 'history', before: 'x' } });
    expect(parseClientFrame('{"type":"mute","user":"u"}')).toMatchObject({ ok: true, frame: { type: 'mute', user: 'u', duration: 300 } });
    expect(parseClientFrame('{"type":"ban","user":"u","scope":"global","duration":60}')).toMatchObject({ ok: true, frame: { scope: 'global', duration: 60 } });
    expect(parseClientFrame('{"type":"ban","user":"u"}')).toMatchObject({ ok: true, frame: { scope: 'room', duration: null } });
    expect(parseClientFrame('{"type":"ping"}')).toEqual({ ok: true, frame: { type: 'ping' } });
  });

  it('turns every problem into an error result, never an exception', () => {
    expect(parseClientFrame('nope')).toMatchObject({ ok: false, code: 'BAD_FRAME' });
    expect(parseClientFrame('null')).toMatchObject({ ok: false, code: 'BAD_FRAME' });
    expect(parseClientFrame('"str"')).toMatchObject({ ok: false, code: 'BAD_FRAME' });
    expect(parseClientFrame('{"type":"x","ref":5}')).toMatchObject({ ok: false, code: 'UNKNOWN_TYPE', ref: 5 });
    expect(parseClientFrame('{"type":"message"}')).toMatchObject({ ok: false, code: 'INVALID_FIELD' });
    expect(parseClientFrame('{"type":"kick"}')).toMatchObject({ ok: false, code: 'INVALID_FIELD' });
    expect(parseClientFrame('{"type":"ban","user":"u","scope":"planet"}')).toMatchObject({ ok: false, code: 'INVALID_FIELD' });
    expect(parseClientFrame('{"type":"mute","user":"u","duration":-1}')).toMatchObject({ ok: false, code: 'INVALID_FIELD' });
    expect(parseClientFrame(`{"type":"ping","ref":"${'x'.repeat(65)}"}`)).toMatchObject({ ok: false, code: 'INVALID_FIELD' });
    expect(parseClientFrame('{"type":"ping","ref":{"a":1}}')).toMatchObject({ ok: false, code: 'INVALID_FIELD' });
    expect(parseClientFrame('{"__proto__":{"polluted":true},"type":"ping"}')).toMatchObject({ ok: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('names', () => {
  it('removes control, format and bidi characters and collapses spaces', () => {
    expect(cleanName('  A\u0000n\u200Bn \u202E  Lee\n')).toBe('Ann Lee');
    expect(cleanName('\u0001\u0002')).toBeUndefined();
    expect(cleanName('x'.repeat(32))).toBe('x'.repeat(32));
    expect(cleanName('x'.repeat(33))).toBeUndefined();
    expect(nameKey('ÅNN')).toBe(nameKey('ånn'));
  });
});

describe('buildWordFilter', () => {
  it('masks whole words in any case and leaves others', () => {
    const filter = buildWordFilter(['darn', 'a.b'], 'mask');
    expect(filter.apply('Darn darned DARN! a.b axb')).toEqual({ text: '**** darned ****! *** axb', matched: true });
    expect(filter.apply('clean')).toEqual({ text: 'clean', matched: false });
    expect(buildWordFilter([], 'refuse').apply('darn')).toEqual({ text: 'darn', matched: false });
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now = 499;
    expect(bucket.take()).toBe(false);
    now = 500;
    expect(bucket.take()).toBe(true);
    now = 100_000;
    bucket.reconfigure(1, 1);
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
  });
});

describe('MessageIdGenerator', () => {
  it('makes unique ids that sort by time, even when the clock steps back', () => {
    const ids = new MessageIdGenerator();
    const seen = [ids.next(1000), ids.next(1000), ids.next(999), ids.next(5000)].map((x) => x.id);
    expect(new Set(seen).size).toBe(4);
    expect([...seen].sort()).toEqual(seen);
  });
});

describe('room tokens', () => {
  const key = new TextEncoder().encode('secret');
  const audience = { room: 'r', epoch: 1_000 };
  it('round-trips and rejects the wrong room, epoch, key and expiry', async () => {
    const token = await signRoomToken(key, { room: 'r', sub: 'u', name: 'U', role: 'moderator', epoch: 1_000 }, 60);
    expect(await verifyRoomToken(key, token, audience)).toMatchObject({ ok: true, claims: { sub: 'u', role: 'moderator', epoch: 1_000 } });
    expect(await verifyRoomToken(key, token, { room: 'other', epoch: 1_000 })).toMatchObject({ ok: false, code: 'TOKEN_WRONG_ROOM' });
    expect(await verifyRoomToken(key, token, { room: 'r', epoch: 2_000 })).toMatchObject({ ok: false, code: 'TOKEN_STALE' });
    expect(await verifyRoomToken(new TextEncoder().encode('wrong'), token, audience)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
    const [header, payload] = token.split('.');
    expect(await verifyRoomToken(key, `${header}.${payload}.`, audience)).toMatchObject({ ok: false, code: 'TOKEN_INVALID' });
  });
});

describe('textFrame', () => {
  it('frames payloads of every length class so a ws client reads them back', async () => {
    const { WebSocketServer } = await import('ws');
    const server = new WebSocketServer({ port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const texts = ['a', 'b'.repeat(125), 'c'.repeat(126), 'd'.repeat(65_535), 'e'.repeat(65_536), 'ü'.repeat(70_000)];
    server.on('connection', (_ws, request) => {
      for (const text of texts) request.socket.write(textFrame(Buffer.from(text)));
    });
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`);
    const received: string[] = [];
    await new Promise<void>((resolve) => client.on('message', (data) => received.push(data.toString()) === texts.length && resolve()));
    expect(received).toEqual(texts);
    client.close();
    server.close();
  });
});

describe('ChatPolicy address bans', () => {
  const ban = (id: string, user: string) => ({ id, user, room: null, reason: '', createdAt: 0, expiresAt: null });
  const policy = policyOf(DEFAULT_SETTINGS, [
    ban('mapped', 'ip:::ffff:127.0.0.1'),
    ban('net', 'ip:2001:DB8:1:2::/64'),
    ban('exact', 'ip:2001:db8:9::1'),
  ]);
  it('matches however the address was written, and IPv6 by exact address or /64', () => {
    expect(policy.banFor('anon-a', '127.0.0.1', 'r')?.id).toBe('mapped');
    expect(policy.banFor('anon-b', '2001:db8:1:2:abcd::1', 'r')?.id).toBe('net');
    expect(policy.banFor('anon-c', '2001:db8:9::1', 'r')?.id).toBe('exact');
    expect(policy.banFor('anon-d', '2001:db8:9::2', 'r')).toBeUndefined();
    expect(policy.banFor('anon-e', '127.0.0.2', 'r')).toBeUndefined();
  });
});

describe('ChatPolicy token revocations', () => {
  const policy = policyOf(DEFAULT_SETTINGS, [], [
    { user: 'everywhere', room: null, revokedAt: 10_500 },
    { user: 'here', room: 'r', revokedAt: 20_000 },
  ]);
  it('refuses tokens issued up to the revocation (to the second), in its room or every room', () => {
    expect(policy.tokenRevoked('everywhere', 'any', 9)).toBe(true);
    expect(policy.tokenRevoked('everywhere', 'any', 10)).toBe(true);
    expect(policy.tokenRevoked('everywhere', 'any', 11)).toBe(false);
    expect(policy.tokenRevoked('here', 'r', 20)).toBe(true);
    expect(policy.tokenRevoked('here', 'other', 20)).toBe(false);
    expect(policy.tokenRevoked('someone', 'r', 1)).toBe(false);
  });
});

describe('ChatPolicy', () => {
  it('finds room, global, address and expired bans', () => {
    const now = 1000;
    const policy = policyOf({ ...DEFAULT_SETTINGS, chatRate: 9 }, [
      { id: '1', user: 'u1', room: 'r', reason: '', createdAt: 0, expiresAt: null },
      { id: '2', user: 'u2', room: null, reason: '', createdAt: 0, expiresAt: 2000 },
      { id: '3', user: 'u3', room: null, reason: '', createdAt: 0, expiresAt: 500 },
      { id: '4', user: ipBanKey('1.2.3.4'), room: 'r', reason: '', createdAt: 0, expiresAt: null },
    ]);
    expect(policy.chatRate).toBe(9);
    expect(policy.chatBurst).toBe(6);
    expect(policy.banFor('u1', undefined, 'r', now)?.id).toBe('1');
    expect(policy.banFor('u1', undefined, 'other', now)).toBeUndefined();
    expect(policy.banFor('u2', undefined, 'any', now)?.id).toBe('2');
    expect(policy.banFor('u3', undefined, 'any', now)).toBeUndefined();
    expect(policy.banFor('anon-x', '1.2.3.4', 'r', now)?.id).toBe('4');
  });

  it('keeps a moderator out only with an admin ban, and follows ban deltas in place', () => {
    const bans = new BanIndex();
    const policy = new ChatPolicy(DEFAULT_SETTINGS, { chatRate: 3, chatBurst: 6 }, bans, new RevocationIndex());
    bans.add({ id: 'm', user: 'mod', room: 'r', reason: '', createdAt: 0, expiresAt: null, by: 'other-mod' });
    expect(policy.banFor('mod', undefined, 'r', 0, false)?.id).toBe('m');
    expect(policy.banFor('mod', undefined, 'r', 0, true)).toBeUndefined();
    expect(bans.add({ id: 'a', user: 'mod', room: null, reason: '', createdAt: 0, expiresAt: null })).toBe(true);
    expect(bans.add({ id: 'a', user: 'mod', room: null, reason: '', createdAt: 0, expiresAt: null })).toBe(false);
    expect(policy.banFor('mod', undefined, 'r', 0, true)?.id).toBe('a');
    bans.remove('a');
    bans.remove('m');
    expect(bans.size).toBe(0);
    expect(policy.banFor('mod', undefined, 'r', 0, false)).toBeUndefined();
  });
});
