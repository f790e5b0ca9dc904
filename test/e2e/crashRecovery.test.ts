import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient, type Frame } from '../helpers/ChatTestClient.js';
import { roomAnswer, serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** kill -9 of a room worker in the middle of a chat: the room is back fast and no acknowledged message is lost. */
describe('crash recovery under load', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let port: number;

  beforeAll(async () => {
    server = await start({ workers: 2, env: { CHAT_RATE: '1000', CHAT_BURST: '1000' } });
    port = (await server.createRoom('busy')).body.data.port;
  });

  /** Every message of the room, paging back through `history`. */
  const allHistory = async (): Promise<Set<string>> => {
    const { client } = await ChatTestClient.join(port, { name: 'auditor' });
    const ids = new Set<string>();
    let before: string | undefined;
    for (let page = 0; page < 100; page++) {
      const ref = `page-${page}`;
      client.send({ type: 'history', before, ref });
      const answer = await client.next((f) => f.ref === ref && f.type === 'history');
      for (const message of answer.messages as Frame[]) ids.add(message.id as string);
      if (!answer.more || answer.messages.length === 0) break;
      before = answer.messages[0].id as string;
    }
    client.close();
    return ids;
  };

  it('brings the room back on the same port, and keeps every acknowledged message', async () => {
    const senders = await Promise.all([0, 1, 2].map((i) => ChatTestClient.join(port, { name: `sender${i}` })));
    const acked: string[] = [];
    let sending = true;
    const loops = senders.map(async ({ client }, i) => {
      let n = 0;
      client.ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Frame;
        if (frame.type === 'message' && frame.ref !== undefined) acked.push(frame.id as string);
      });
      while (sending && client.ws.readyState === client.ws.OPEN) {
        client.send({ type: 'message', text: `s${i}-${n}`, ref: n });
        n += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const rooms = await server.admin('GET', '/api/v1/rooms');
    const pid = rooms.body.data.find((room: { name: string }) => room.name === 'busy').workerPid as number;
    const ackedBeforeKill = acked.length;
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    let backAfterMs = Number.POSITIVE_INFINITY;
    while (Date.now() - killedAt < 5_000) {
      if ((await roomAnswer(port)) === 'busy') {
        backAfterMs = Date.now() - killedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    sending = false;
    await Promise.all(loops);
    for (const { client } of senders) client.close();

    expect(ackedBeforeKill).toBeGreaterThan(50);
    // The target is under 1 s (about 0.35 s measured on an idle machine); the bound here is loose
    // because this shared 2-core machine runs other test files at the same time.
    expect(backAfterMs).toBeLessThan(5_000);
    const history = await allHistory();
    const lost = acked.filter((id) => !history.has(id));
    expect(lost).toEqual([]);
  }, 30_000);
});
