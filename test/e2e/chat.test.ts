import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient, type Frame } from '../helpers/ChatTestClient.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';
import { siteToken, siteTokenKey } from '../helpers/siteTokens.js';

describe('WebSocket chat (real server, real ws clients)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  const clients: ChatTestClient[] = [];
  const rooms: Record<string, number> = {};

  const connect = async (room: string) => {
    const client = await ChatTestClient.connect(rooms[room]!);
    clients.push(client);
    return client;
  };
  const join = async (room: string, how: { token?: string; name?: string }) => {
    const joined = await ChatTestClient.join(rooms[room]!, how);
    clients.push(joined.client);
    return joined;
  };
  const token = async (room: string, user: string, role = 'viewer', name = user) => {
    const answer = await server.api('POST', `/api/v1/room/${room}/token`, {
      key: 'TESTING_KEY',
      body: JSON.stringify({ user, name, role }),
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(200);
    return answer.body.data.token as string;
  };
  const settings = (patch: Record<string, unknown>) => server.admin('PATCH', '/api/v1/settings', patch);

  beforeAll(async () => {
    server = await start({ workers: 2, roomPortCount: 12, env: { CHAT_RATE: '1000', CHAT_BURST: '1000' } });
    for (const name of ['lobby', 'second', 'third', 'history', 'mod', 'words', 'flood']) {
      rooms[name] = (await server.createRoom(name)).body.data.port;
    }
    const closedRoom = await server.api('POST', '/api/v1/room/members-only', {
      key: 'TESTING_KEY',
      body: JSON.stringify({ settings: { anonymous: false } }),
      headers: { 'content-type': 'application/json' },
    });
    expect(closedRoom.status).toBe(201);
    rooms['members-only'] = closedRoom.body.data.port;
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  describe('joining', () => {
    it('welcomes an anonymous viewer with identity, users, history, stream state and limits', async () => {
      const { client, welcome } = await join('lobby', { name: '  Ann\u0007 \u202e ' });
      expect(welcome).toMatchObject({
        type: 'welcome',
        room: 'lobby',
        you: { name: 'Ann', role: 'viewer', anonymous: true },
        stream: { live: false, url: null },
        limits: { maxText: 2000, rate: 1000, burst: 1000 },
      });
      expect(welcome.you.id).toMatch(/^anon-/);
      expect(welcome.users).toEqual([welcome.you]);
      // A new room: no history yet. A message sent now is in the next welcome, as it was delivered.
      expect(welcome.history).toEqual([]);
      client.send({ type: 'message', text: 'first words', ref: 'w1' });
      const ack = await client.next((f) => f.type === 'message' && f.ref === 'w1');
      const { welcome: next } = await join('lobby', { name: 'Next' });
      expect(next.history).toEqual([{ type: 'message', id: ack.id, user: welcome.you.id, name: 'Ann', text: 'first words', ts: ack.ts }]);
    });

    it('keeps anonymous names unique (any case) and lets the client try another name', async () => {
      await join('lobby', { name: 'Bob' });
      const second = await connect('lobby');
      second.send({ type: 'join', name: 'bob', ref: 'j1' });
      expect(await second.next()).toMatchObject({ type: 'error', code: 'NAME_TAKEN', ref: 'j1' });
      second.send({ type: 'join', name: '\u0000\u0001' });
      expect(await second.next()).toMatchObject({ type: 'error', code: 'NAME_INVALID' });
      second.send({ type: 'join', name: 'x'.repeat(33) });
      expect(await second.next()).toMatchObject({ type: 'error', code: 'NAME_INVALID' });
      second.send({ type: 'join', name: 'Bobby' });
      expect(await second.next()).toMatchObject({ type: 'welcome', you: { name: 'Bobby' } });
      second.send({ type: 'join', name: 'Again' });
      expect(await second.next()).toMatchObject({ type: 'error', code: 'ALREADY_JOINED' });
    });

    it('joins with a token from the API, with the role it carries', async () => {
      const { welcome } = await join('lobby', { token: await token('lobby', 'site-user-1', 'producer', 'Carol') });
      expect(welcome.you).toEqual({ id: 'site-user-1', name: 'Carol', role: 'producer', anonymous: false });
    });

    it('refuses a token for another room, an expired one and a forged one with an error and close 4001', async () => {
      const epoch = (await server.api('GET', '/api/v1/room/lobby')).body.data.epoch as number;
      const expired = await siteToken(siteTokenKey('TESTING_KEY'), { room: 'lobby', sub: 'old', name: 'Old', epoch, expiresIn: -10 });
      const forged = await siteToken(new TextEncoder().encode('NOT_THE_KEY'), { room: 'lobby', sub: 'eve', name: 'Eve', role: 'moderator', epoch });
      const cases: Array<[string, string]> = [
        [await token('second', 'u2'), 'TOKEN_WRONG_ROOM'],
        [expired, 'TOKEN_EXPIRED'],
        [forged, 'TOKEN_INVALID'],
        ['not.a.jwt', 'TOKEN_INVALID'],
      ];
      for (const [jwt, code] of cases) {
        const client = await connect('lobby');
        client.send({ type: 'join', token: jwt });
        expect(await client.next()).toMatchObject({ type: 'error', code });
        expect((await client.closed).code).toBe(4001);
      }
    });

    it('refuses anonymous joins where the room needs a token, and takes token joins there', async () => {
      const client = await connect('members-only');
      client.send({ type: 'join', name: 'Anon' });
      expect(await client.next()).toMatchObject({ type: 'error', code: 'ANONYMOUS_NOT_ALLOWED' });
      expect((await client.closed).code).toBe(4001);
      const { welcome } = await join('members-only', { token: await token('members-only', 'member') });
      expect(welcome.you.id).toBe('member');
    });

    it('refuses token requests with a bad body or no key', async () => {
      const bad = await server.api('POST', '/api/v1/room/lobby/token', {
        key: 'TESTING_KEY',
        body: JSON.stringify({ user: 'x', role: 'admin' }),
        headers: { 'content-type': 'application/json' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('BAD_REQUEST');
      const noKey = await server.api('POST', '/api/v1/room/lobby/token', { body: '{}', headers: { 'content-type': 'application/json' } });
      expect(noKey.status).toBe(401);
    });

    it('asks for a join before anything else', async () => {
      const client = await connect('lobby');
      client.send({ type: 'message', text: 'hi', ref: 7 });
      expect(await client.next()).toMatchObject({ type: 'error', code: 'NOT_JOINED', ref: 7 });
    });
  });

  describe('messages and presence', () => {
    it('acknowledges to the sender with its ref and delivers verbatim to everyone', async () => {
      const { client: a } = await join('second', { name: 'Alice' });
      const { client: b, welcome: bw } = await join('second', { name: 'Bert' });
      const joined = await a.next((f) => f.type === 'joined');
      expect(joined.user).toEqual(bw.you);
      const text = '<img src=x onerror=alert(1)> & "quotes" \u{1F600}';
      a.send({ type: 'message', text, ref: 'r-1' });
      const ack = await a.next((f) => f.type === 'message');
      const delivered = await b.next((f) => f.type === 'message');
      expect(ack).toMatchObject({ type: 'message', text, name: 'Alice', ref: 'r-1' });
      expect(delivered).toEqual({ type: 'message', id: ack.id, user: ack.user, name: 'Alice', text, ts: ack.ts });
      expect(typeof ack.ts).toBe('number');

      b.close();
      expect(await a.next((f) => f.type === 'left')).toEqual({ type: 'left', user: { id: bw.you.id, name: 'Bert' } });
    });

    it('refuses empty and over-long messages', async () => {
      const { client } = await join('second', { name: 'Limits' });
      client.send({ type: 'message', text: '   ', ref: 1 });
      expect(await client.next()).toMatchObject({ type: 'error', code: 'TEXT_EMPTY', ref: 1 });
      client.send({ type: 'message', text: 'x'.repeat(2001), ref: 2 });
      expect(await client.next()).toMatchObject({ type: 'error', code: 'TEXT_TOO_LONG', ref: 2 });
      client.send({ type: 'message', text: 42 });
      expect(await client.next()).toMatchObject({ type: 'error', code: 'INVALID_FIELD' });
    });

    it('relays typing to the others, at most once per interval', async () => {
      const { client: a } = await join('third', { name: 'Typer' });
      const { client: b } = await join('third', { name: 'Watcher' });
      for (let i = 0; i < 5; i++) a.send({ type: 'typing' });
      await a.sync();
      await b.sync();
      expect(b.frames.filter((f) => f.type === 'typing')).toEqual([{ type: 'typing', user: expect.any(String), name: 'Typer' }]);
      expect(a.frames.filter((f) => f.type === 'typing')).toEqual([]);
    });

    it('answers invalid JSON, unknown types and binary frames with an error and keeps the socket open', async () => {
      const { client } = await join('third', { name: 'Sloppy' });
      client.send('{not json');
      expect(await client.next()).toMatchObject({ type: 'error', code: 'BAD_FRAME' });
      client.send('[1,2]');
      expect(await client.next()).toMatchObject({ type: 'error', code: 'BAD_FRAME' });
      client.send({ type: 'dance', ref: 'd' });
      expect(await client.next()).toMatchObject({ type: 'error', code: 'UNKNOWN_TYPE', ref: 'd' });
      client.ws.send(Buffer.from([1, 2, 3]));
      expect(await client.next()).toMatchObject({ type: 'error', code: 'BAD_FRAME' });
      client.send({ type: 'ping', ref: 'still-here' });
      expect(await client.next()).toMatchObject({ type: 'pong', ref: 'still-here' });
    });

    it('closes a connection that sends a frame over the size cap with 1009', async () => {
      const { client } = await join('third', { name: 'Big' });
      client.send({ type: 'message', text: 'x'.repeat(20_000) });
      expect((await client.closed).code).toBe(1009);
    });
  });

  describe('history', () => {
    it('sends the last 50 in the welcome and older pages on request', async () => {
      const { client: writer } = await join('history', { name: 'Writer' });
      for (let i = 1; i <= 60; i++) writer.send({ type: 'message', text: `m${i}`, ref: i });
      await writer.next((f) => f.type === 'message' && f.ref === 60);

      const { client: reader, welcome } = await join('history', { name: 'Reader' });
      expect(welcome.history).toHaveLength(50);
      expect(welcome.history[0].text).toBe('m11');
      expect(welcome.history[49].text).toBe('m60');
      expect(welcome.history[0].ref).toBeUndefined();

      reader.send({ type: 'history', before: welcome.history[0].id, ref: 'page' });
      const page = await reader.next((f) => f.type === 'history');
      expect(page.messages.map((m: Frame) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 1}`));
      expect(page).toMatchObject({ before: welcome.history[0].id, more: false, ref: 'page' });
      reader.send({ type: 'history', before: page.messages[0].id });
      expect((await reader.next((f) => f.type === 'history')).messages).toEqual([]);
    });
  });

  describe('moderation', () => {
    it('lets moderators kick and mute, and nobody else', async () => {
      const { client: mod } = await join('mod', { token: await token('mod', 'mod-1', 'moderator', 'Mo') });
      const { client: troll, welcome: tw } = await join('mod', { name: 'Troll' });
      const { client: viewer } = await join('mod', { name: 'Vic' });

      viewer.send({ type: 'kick', user: tw.you.id, ref: 'k0' });
      expect(await viewer.next((f) => f.type === 'error')).toMatchObject({ code: 'FORBIDDEN', ref: 'k0' });

      mod.send({ type: 'mute', user: tw.you.id, duration: 60, ref: 'm1' });
      expect(await mod.next((f) => f.type === 'ok')).toEqual({ type: 'ok', ref: 'm1' });
      expect(await viewer.next((f) => f.type === 'moderation')).toMatchObject({ action: 'mute', user: tw.you.id, by: 'mod-1' });
      troll.send({ type: 'message', text: 'spam', ref: 's' });
      expect(await troll.next((f) => f.type === 'error')).toMatchObject({ code: 'MUTED', ref: 's', until: expect.any(Number) });

      mod.send({ type: 'kick', user: tw.you.id, reason: 'bye' });
      expect(await viewer.next((f) => f.type === 'moderation' && f.action === 'kick')).toMatchObject({ user: tw.you.id, reason: 'bye' });
      expect((await troll.closed).code).toBe(4003);
      mod.send({ type: 'kick', user: 'nobody', ref: 'k2' });
      expect(await mod.next((f) => f.type === 'error')).toMatchObject({ code: 'USER_NOT_FOUND', ref: 'k2' });
    });

    it('bans a user from the room (stored, pushed to every worker) and globally across rooms', async () => {
      // a moderator token minted for global bans (a room moderator may ban in its room only)
      const minted = await server.api('POST', '/api/v1/room/mod/token', {
        key: 'TESTING_KEY',
        body: JSON.stringify({ user: 'mod-2', role: 'moderator', globalModerator: true }),
        headers: { 'content-type': 'application/json' },
      });
      const { client: mod } = await join('mod', { token: minted.body.data.token });
      const { client: target } = await join('mod', { token: await token('mod', 'target-1') });
      mod.send({ type: 'ban', user: 'target-1', reason: 'rude', ref: 'b1' });
      await mod.next((f) => f.type === 'ok' && f.ref === 'b1');
      expect((await target.closed).code).toBe(4004);

      const again = await connect('mod');
      again.send({ type: 'join', token: await token('mod', 'target-1') });
      expect(await again.next()).toMatchObject({ type: 'error', code: 'BANNED', scope: 'room' });
      expect((await again.closed).code).toBe(4004);
      // a room ban leaves the other rooms open
      await join('lobby', { token: await token('lobby', 'target-1') });

      // a global ban closes the user's connections in every room, on every worker
      const elsewhere = await Promise.all(['lobby', 'second', 'third'].map(async (room) => (await join(room, { token: await token(room, 'target-2') })).client));
      mod.send({ type: 'ban', user: 'target-2', scope: 'global', duration: 3600, ref: 'b2' });
      await mod.next((f) => f.type === 'ok' && f.ref === 'b2');
      for (const client of elsewhere) expect((await client.closed).code).toBe(4004);
      const refused = await connect('history');
      refused.send({ type: 'join', token: await token('history', 'target-2') });
      expect(await refused.next()).toMatchObject({ type: 'error', code: 'BANNED', scope: 'global' });

      const bans = await server.admin('GET', '/api/v1/bans');
      const global = bans.body.data.find((b: Frame) => b.user === 'target-2');
      expect(global).toMatchObject({ room: null, reason: 'banned by mod-2' });
      expect(global.expiresAt).toBeGreaterThan(Date.now());
      expect((await server.admin('DELETE', `/api/v1/bans/${global.id}`)).status).toBe(200);
      await join('history', { token: await token('history', 'target-2') });
    });

    it('bans an anonymous user by address too, and an admin can ban and lift', async () => {
      const { client: mod } = await join('third', { token: await token('third', 'mod-3', 'moderator') });
      const { client: anon, welcome } = await join('third', { name: 'Nameless' });
      // Another anonymous user at the same address: the address ban removes them too, and says so.
      const { client: neighbour, welcome: neighbourWelcome } = await join('third', { name: 'Neighbour' });
      mod.send({ type: 'ban', user: welcome.you.id, duration: 600, reason: 'spam', ref: 'b3' });
      await mod.next((f) => f.type === 'ok' && f.ref === 'b3');
      expect(await anon.closed).toMatchObject({ code: 4004, reason: 'spam' });
      expect(await neighbour.closed).toMatchObject({ code: 4004, reason: 'your network address is banned here (spam)' });
      expect(mod.frames.filter((f) => f.type === 'moderation' && f.user === neighbourWelcome.you.id)).toEqual([expect.objectContaining({ action: 'ban', address: true })]);
      const again = await connect('third');
      again.send({ type: 'join', name: 'New Name' });
      expect(await again.next()).toMatchObject({ type: 'error', code: 'BANNED', reason: 'your network address is banned here (spam)' });
      const bans = (await server.admin('GET', '/api/v1/bans')).body.data as Frame[];
      for (const ban of bans.filter((b) => b.room === 'third')) await server.admin('DELETE', `/api/v1/bans/${ban.id}`);
      await join('third', { name: 'New Name' });

      const created = await server.admin('POST', '/api/v1/bans', { user: 'by-admin', room: 'third', reason: 'ops' });
      expect(created.status).toBe(201);
      const refused = await connect('third');
      refused.send({ type: 'join', token: await token('third', 'by-admin') });
      expect(await refused.next()).toMatchObject({ type: 'error', code: 'BANNED' });
      expect((await server.admin('POST', '/api/v1/bans', { user: '' })).status).toBe(400);
      // an address range no lookup would match is refused, not stored to do nothing
      const range = await server.admin('POST', '/api/v1/bans', { user: 'ip:10.0.0.0/8' });
      expect(range.status).toBe(400);
      expect(range.body.error.message).toMatch(/one address or an IPv6 \/64/);
    });
  });

  describe('settings and limits', () => {
    afterEach(async () => {
      await settings({ bannedWords: [], bannedWordsAction: 'mask', chatRate: null, chatBurst: null });
    });

    it('masks banned words, or refuses the message, as the setting says', async () => {
      expect((await settings({ bannedWords: ['darn', 'heck'] })).status).toBe(200);
      const { client } = await join('words', { name: 'Speaker' });
      client.send({ type: 'message', text: 'Well DARN it, darned heck', ref: 1 });
      expect((await client.next((f) => f.type === 'message')).text).toBe('Well **** it, darned ****');
      await settings({ bannedWordsAction: 'refuse' });
      client.send({ type: 'message', text: 'oh heck', ref: 2 });
      expect(await client.next((f) => f.type === 'error')).toMatchObject({ code: 'BANNED_WORDS', ref: 2 });
      expect((await settings({ bannedWordsAction: 'delete' })).status).toBe(400);
    });

    it('rate-limits, then mutes, then disconnects a flooding client; other clients are unaffected', async () => {
      await settings({ chatRate: 1, chatBurst: 2 });
      const { client: flooder } = await join('flood', { name: 'Flooder' });
      const { client: calm } = await join('flood', { name: 'Calm' });
      for (let i = 0; i < 5; i++) flooder.send({ type: 'message', text: `f${i}`, ref: i });
      const limited = await flooder.next((f) => f.type === 'error' && f.code === 'RATE_LIMITED');
      expect(limited.ref).toBeGreaterThanOrEqual(2);
      for (let i = 0; i < 20; i++) flooder.send({ type: 'message', text: 'more' });
      expect(await flooder.next((f) => f.type === 'error' && f.code === 'MUTED')).toMatchObject({ until: expect.any(Number) });
      for (let i = 0; i < 40; i++) flooder.send({ type: 'message', text: 'even more' });
      expect(await flooder.closed).toEqual({ code: 4029, reason: 'flooding' });
      // The line docs/security.md promises for a flooding client (nothing counts these closes).
      await server.waitForLog((l) => l.msg === 'chat client disconnected' && l.close === 'FLOODING');

      calm.send({ type: 'message', text: 'still fine', ref: 'c' });
      expect(await calm.next((f) => f.type === 'message' && f.ref === 'c')).toMatchObject({ text: 'still fine' });
    });
  });

  describe('system messages and room close', () => {
    it('delivers admin system messages to one room or every room, and closed frames when a room goes', async () => {
      const { client: a } = await join('lobby', { name: 'SysA' });
      const { client: b, welcome: bw } = await join('second', { name: 'SysB' });
      const one = await server.admin('POST', '/api/v1/messages', { text: 'lobby only', room: 'lobby' });
      expect(one.body.data).toMatchObject({ rooms: 1 });
      expect(await a.next((f) => f.type === 'system')).toMatchObject({ text: 'lobby only' });
      const all = await server.admin('POST', '/api/v1/messages', { text: 'everyone' });
      expect(all.body.data.rooms).toBeGreaterThanOrEqual(8);
      expect(await a.next((f) => f.type === 'system')).toMatchObject({ text: 'everyone' });
      expect(await b.next((f) => f.type === 'system')).toMatchObject({ text: 'everyone' });
      expect((await server.admin('POST', '/api/v1/messages', { text: 'x', room: 'nope' })).status).toBe(404);

      const kicked = await server.admin('DELETE', `/api/v1/room/second/users/${bw.you.id}`);
      expect(kicked.status).toBe(200);
      expect((await b.closed).code).toBe(4003);

      await server.createRoom('doomed');
      const doomedPort = (await server.api('GET', '/api/v1/room/doomed')).body.data.port as number;
      rooms.doomed = doomedPort;
      const { client: c } = await join('doomed', { name: 'Leaving' });
      await server.api('DELETE', '/api/v1/room/doomed', { key: 'TESTING_KEY' });
      expect(await c.next((f) => f.type === 'closed')).toMatchObject({ reason: 'room deleted' });
      expect((await c.closed).code).toBe(4000);
    });
  });
});
