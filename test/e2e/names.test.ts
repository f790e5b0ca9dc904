import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** Nobody appears twice with a same-looking name, and no anonymous user passes for a signed-in one. */
describe('display names (real server, real ws clients)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  const clients: ChatTestClient[] = [];
  const ports: Record<string, number> = {};

  const connect = async (room: string) => {
    const client = await ChatTestClient.connect(ports[room]!);
    clients.push(client);
    return client;
  };
  const join = async (room: string, how: { token?: string; name?: string }) => {
    const joined = await ChatTestClient.join(ports[room]!, how);
    clients.push(joined.client);
    return joined;
  };
  const token = (room: string, user: string, name: string) =>
    server
      .api('POST', `/api/v1/room/${room}/token`, {
        key: server.env.KEY,
        body: JSON.stringify({ user, name, role: 'viewer' }),
        headers: { 'content-type': 'application/json' },
      })
      .then((answer) => answer.body.data.token as string);

  beforeAll(async () => {
    server = await start({ workers: 1 });
    for (const name of ['lookalikes', 'signed-in']) ports[name] = (await server.createRoom(name)).body.data.port;
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  it('refuses an anonymous name that looks like one held in the room', async () => {
    await join('lookalikes', { name: 'Ann' });
    const other = await connect('lookalikes');
    // Cyrillic A, Greek Alpha, fullwidth letters, an invisible Hangul filler, capitals, I for l
    for (const name of ['\u0410nn', '\u0391nn', '\uFF21\uFF4E\uFF4E', 'Ann\u3164', 'ANN', '\u0410NN']) {
      other.send({ type: 'join', name, ref: name });
      expect(await other.next(), name).toMatchObject({ type: 'error', code: 'NAME_TAKEN', ref: name });
    }
    await join('lookalikes', { name: 'Bill' });
    other.send({ type: 'join', name: 'BiII' });
    expect(await other.next()).toMatchObject({ type: 'error', code: 'NAME_TAKEN' });
    other.send({ type: 'join', name: 'Annie' });
    expect(await other.next()).toMatchObject({ type: 'welcome', you: { name: 'Annie' } });
  });

  it("gives a signed-in user their name, takes it from an anonymous holder, and keeps it from anonymous users after they leave", async () => {
    const { client: squatter, welcome: sw } = await join('signed-in', { name: '\u0410dmin' });
    const { client: watcher } = await join('signed-in', { name: 'Watcher' });
    const { client: admin, welcome } = await join('signed-in', { token: await token('signed-in', 'site-admin', 'Admin') });
    expect(welcome.you.name).toBe('Admin');
    expect(welcome.users.map((u: { name: string }) => u.name).sort()).toEqual(['Admin', 'Watcher']);
    expect(await squatter.next((f) => f.type === 'error')).toMatchObject({ code: 'NAME_TAKEN' });
    expect((await squatter.closed).code).toBe(4003);
    expect(await watcher.next((f) => f.type === 'left')).toMatchObject({ user: { id: sw.you.id } });

    // a second signed-in user with a same-looking name is shown apart
    const { welcome: second } = await join('signed-in', { token: await token('signed-in', 'other-admin', 'ADMIN') });
    expect(second.you.name).toMatch(/^ADMIN #[0-9a-f]{4}$/);

    admin.close();
    await watcher.next((f) => f.type === 'left' && f.user.id === 'site-admin');
    const late = await connect('signed-in');
    late.send({ type: 'join', name: 'admin' });
    expect(await late.next()).toMatchObject({ type: 'error', code: 'NAME_TAKEN' });
  });
});
