import { afterEach, describe, expect, it } from 'vitest';
import { ChatTestClient, type Frame } from '../helpers/ChatTestClient.js';
import { serversPerTest, type ServerProcess } from '../helpers/ServerProcess.js';

/** Connects as if through a proxy that saw the client at `forwardedFor` (or directly when undefined). */
async function connectFrom(port: number, forwardedFor?: string): Promise<ChatTestClient> {
  return ChatTestClient.connect(port, '/chat', forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor });
}

/** An anonymous join; answers the first welcome or error frame. */
async function joinAnonymously(client: ChatTestClient, name: string): Promise<Frame> {
  client.send({ type: 'join', name });
  return client.next((f) => f.type === 'welcome' || f.type === 'error');
}

/** Whether the room port takes a chat upgrade (false: refused, e.g. 429). */
async function upgradeAccepted(port: number, forwardedFor: string, clients: ChatTestClient[]): Promise<boolean> {
  try {
    clients.push(await connectFrom(port, forwardedFor));
    return true;
  } catch {
    return false;
  }
}

async function adminBan(server: ServerProcess, user: string): Promise<void> {
  expect((await server.admin('POST', '/api/v1/bans', { user, reason: 'test' })).status).toBe(201);
}

describe('client addresses: TRUST_PROXY, IPv4-mapped addresses, IPv6 /64 (real server)', () => {
  const start = serversPerTest(afterEach);
  const clients: ChatTestClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  const track = (client: ChatTestClient) => (clients.push(client), client);

  it('behind a trusted proxy, banning one anonymous user leaves another (other forwarded address) in', async () => {
    const server = await start({ workers: 1, env: { TRUST_PROXY: '127.0.0.1' } });
    const port = (await server.createRoom('proxied')).body.data.port as number;
    const mod = track(await connectFrom(port));
    mod.send({ type: 'join', token: await server.token('proxied', 'mod-1', 'moderator') });
    await mod.next((f) => f.type === 'welcome');

    const troll = track(await connectFrom(port, '203.0.113.5'));
    const trollWelcome = await joinAnonymously(troll, 'Troll');
    const bystander = track(await connectFrom(port, '198.51.100.7, 203.0.113.9'));
    expect((await joinAnonymously(bystander, 'Bystander')).type).toBe('welcome');

    mod.send({ type: 'ban', user: trollWelcome.you.id, duration: 600, ref: 'b1' });
    await mod.next((f) => f.ref === 'b1');
    expect((await troll.closed).code).toBe(4004);

    // The troll's address is out; the bystander (another client behind the same proxy) stays.
    const back = track(await connectFrom(port, '203.0.113.5'));
    expect(await joinAnonymously(back, 'Troll again')).toMatchObject({ type: 'error', code: 'BANNED' });
    const other = track(await connectFrom(port, '203.0.113.6'));
    expect((await joinAnonymously(other, 'Newcomer')).type).toBe('welcome');
    bystander.send({ type: 'ping', ref: 'alive' });
    expect(await bystander.next((f) => f.type === 'pong')).toMatchObject({ ref: 'alive' });
  });

  it('ignores X-Forwarded-For without TRUST_PROXY, and an admin ban on ip:127.0.0.1 holds IPv4 clients out', async () => {
    const server = await start({ workers: 1 });
    const port = (await server.createRoom('direct')).body.data.port as number;
    await adminBan(server, 'ip:127.0.0.1');
    // The socket address is ::ffff:127.0.0.1 (the server listens on ::); the ban still applies,
    // and a forged header does not walk around it.
    for (const forwardedFor of [undefined, '203.0.113.5']) {
      const client = track(await connectFrom(port, forwardedFor));
      expect(await joinAnonymously(client, 'Spoofer')).toMatchObject({ type: 'error', code: 'BANNED' });
    }
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const server = await start({ workers: 1, env: { TRUST_PROXY: '10.0.0.0/8' } });
    const port = (await server.createRoom('untrusted')).body.data.port as number;
    await adminBan(server, 'ip:127.0.0.1');
    const client = track(await connectFrom(port, '203.0.113.5'));
    expect(await joinAnonymously(client, 'Spoofer')).toMatchObject({ type: 'error', code: 'BANNED' });
  });

  it('caps connections per forwarded address, and per IPv6 /64', async () => {
    const server = await start({ workers: 1, env: { TRUST_PROXY: '127.0.0.1', MAX_CONNECTIONS_PER_IP: '2' } });
    const port = (await server.createRoom('capped')).body.data.port as number;
    const accepted = async (forwardedFor: string) => upgradeAccepted(port, forwardedFor, clients);
    expect([await accepted('203.0.113.5'), await accepted('203.0.113.5'), await accepted('203.0.113.5')]).toEqual([true, true, false]);
    // Another client behind the same proxy is not affected by the first one's cap.
    expect(await accepted('203.0.113.6')).toBe(true);
    // One /64 is one subscriber: changing the interface id does not walk around the cap.
    expect([await accepted('2001:db8:1:2::1'), await accepted('2001:db8:1:2::2'), await accepted('2001:db8:1:2:ffff::3')]).toEqual([true, true, false]);
    expect(await accepted('2001:db8:1:3::1')).toBe(true);
  });
});
