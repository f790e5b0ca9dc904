import { afterEach, describe, expect, it } from 'vitest';
import { readWholeHistory } from '../helpers/chatHistory.js';
import type { ChatTestClient} from '../helpers/ChatTestClient.js';
import { tokenClientsClosedBy, type Frame } from '../helpers/ChatTestClient.js';
import { serversPerTest } from '../helpers/ServerProcess.js';

const ROOM = 'resends';

describe('a resent message is stored and delivered once (real processes)', () => {
  const start = serversPerTest(afterEach);
  const joinWithToken = tokenClientsClosedBy(afterEach);

  /** Sends a message and resolves with its acknowledgement (refusals fail the test). */
  async function send(client: ChatTestClient, text: string, ref: string): Promise<Frame> {
    client.send({ type: 'message', text, ref });
    const answer = await client.next((f) => f.ref === ref && (f.type === 'message' || f.type === 'error'));
    expect(answer.type, JSON.stringify(answer)).toBe('message');
    return answer;
  }

  it('answers the same user’s same ref, on the same connection and after a reconnect, with the first message; a new ref is a new message', async () => {
    const server = await start({ workers: 1, env: { CHAT_RATE: '100', CHAT_BURST: '100' } });
    const port = (await server.createRoom(ROOM)).body.data.port as number;
    const senderToken = await server.token(ROOM, 'resender');
    const sender = await joinWithToken(port, senderToken);
    const observer = await joinWithToken(port, await server.token(ROOM, 'observer'));
    const seenByObserver = (id: string) => observer.frames.filter((f) => f.type === 'message' && f.id === id).length;

    const first = await send(sender, 'said once', 'ref-1');
    const again = await send(sender, 'said once', 'ref-1');
    expect({ id: again.id, text: again.text, ts: again.ts }).toEqual({ id: first.id, text: first.text, ts: first.ts });

    // The resend was answered before this message was sent: a copy of it would reach the
    // observer before this one does.
    const next = await send(sender, 'said once', 'ref-2');
    expect(next.id, 'a different ref is a new message, even with the same text').not.toBe(first.id);
    await observer.next((f) => f.type === 'message' && f.id === next.id);
    expect(seenByObserver(first.id)).toBe(1);

    // The acknowledgement was lost with the connection: the client sends again from a new one.
    sender.close();
    await sender.closed;
    const reconnected = await joinWithToken(port, senderToken);
    const afterReconnect = await send(reconnected, 'said once', 'ref-1');
    expect(afterReconnect.id).toBe(first.id);
    const last = await send(reconnected, 'after the reconnect', 'ref-3');
    await observer.next((f) => f.type === 'message' && f.id === last.id);
    expect(seenByObserver(first.id)).toBe(1);

    // A ref is the sender's own: another user's message with the same ref is theirs.
    const observers = await send(observer, 'said once', 'ref-1');
    expect(observers.id).not.toBe(first.id);

    const history = await readWholeHistory(observer);
    expect(history.map((m) => [m.id, m.user, m.text])).toEqual([
      [first.id, 'resender', 'said once'],
      [next.id, 'resender', 'said once'],
      [last.id, 'resender', 'after the reconnect'],
      [observers.id, 'observer', 'said once'],
    ]);
  });
});
