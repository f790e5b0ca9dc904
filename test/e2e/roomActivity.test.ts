import { afterEach, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { serversPerTest } from '../helpers/ServerProcess.js';

/** Well under the 5 s the primary used to poll its workers at: the counts must come from the workers' pushes. */
const PUSHED_WITHIN_MS = 2_000;

describe("a room's activity reaches the room lists as it changes (real processes)", () => {
  const start = serversPerTest(afterEach);

  it('shows joins, leaves and messages in GET /api/v1/rooms without waiting for a poll', async () => {
    const server = await start({ workers: 2 });
    const port = (await server.createRoom('lively')).body.data.port as number;
    const listed = async () => {
      const rooms = (await server.api('GET', '/api/v1/rooms')).body.data as Array<{ name: string; clients: number; viewers: number }>;
      return rooms.find((room) => room.name === 'lively');
    };
    const clients = async () => (await listed())?.clients;
    const poll = { timeout: PUSHED_WITHIN_MS, interval: 50 };
    expect(await listed()).toMatchObject({ clients: 0, viewers: 0 });

    const a = await ChatTestClient.join(port, { name: 'A' });
    await expect.poll(clients, poll).toBe(1);
    const b = await ChatTestClient.join(port, { name: 'B' });
    await expect.poll(clients, poll).toBe(2);
    expect(await listed()).toMatchObject({ viewers: 2 });

    a.client.send({ type: 'message', text: 'counted', ref: 1 });
    await a.client.next((frame) => frame.ref === 1);
    const messages = async () => ((await server.admin('GET', '/api/v1/rooms')).body.data as Array<{ name: string; messages: number }>).find((room) => room.name === 'lively')?.messages;
    await expect.poll(messages, poll).toBe(1);

    a.client.close();
    await a.client.closed;
    await expect.poll(clients, poll).toBe(1);
    b.client.close();
    await b.client.closed;
    await expect.poll(clients, poll).toBe(0);
    expect((await server.api('GET', '/api/v1/room/lively')).body.data).toMatchObject({ clients: 0, viewers: 0 });
  });
});
