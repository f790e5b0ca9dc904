import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageIdGenerator } from '../../src/chat/messageIds.js';
import type { ChatMessageRecord } from '../../src/contracts/records.js';
import { newRecordingId } from '../../src/hls/recording/recordingIds.js';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

// Ten minutes ago, to the second: well within every retention.
const T0 = Math.floor(Date.now() / 1000) * 1000 - 600_000;
const ENDED = newRecordingId(T0);
/** Seconds after T0 that messages were sent at: ENDED spans 0..60 s. */
const TIMES = [-5, 0, 10, 20, 30, 40, 60, 61, 119, 121, 150];

function seeded(room: string, ids = new MessageIdGenerator()): ChatMessageRecord[] {
  return TIMES.map((s) => {
    const { id, ts } = ids.next(T0 + s * 1000);
    return { room, id, user: `u${s}`, name: `User ${s}`, text: `<b>at ${s}</b>`, ts };
  });
}
const MESSAGES = seeded('open');
const CLOSED_MESSAGES = seeded('closed');
const view = ({ id, user, name, text, ts }: ChatMessageRecord) => ({ id, user, name, text, ts });

/** Two rooms (the second has no anonymous viewers), each with a recording and messages before, during and after it. */
async function seed(dataDir: string, ports: { first: number }): Promise<void> {
  const store = new SqliteStore(dataDir);
  await store.open();
  for (const [i, name] of ['open', 'closed'].entries()) {
    await store.saveRoom({ name, port: ports.first + i, settings: name === 'closed' ? { anonymous: false } : {}, createdAt: T0 - 3_600_000 });
    await store.recordings.saveRecording({ room: name, id: ENDED, startedAt: T0, endedAt: T0 + 60_000, duration: 60, bytes: 1000 });
  }
  await store.appendMessages([...MESSAGES, ...CLOSED_MESSAGES]);
  await store.close();
}

describe('the chat of a recording (GET /api/v1/room/:name/recordings/:id/messages)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  const messages = (room: string, id: string, query = '', headers: Record<string, string> = {}) =>
    server.api('GET', `/api/v1/room/${room}/recordings/${id}/messages${query}`, { headers });

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 3, seed });
  });

  it('lists the messages sent while the recording was made, oldest first, as text', async () => {
    const answer = await messages('open', ENDED);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { messages: MESSAGES.slice(1, 7).map(view), next: null } });
  });

  it('pages with limit and the cursor, each message once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const answer = await messages('open', ENDED, `?limit=4${after === null ? '' : `&after=${after}`}`);
      expect(answer.status).toBe(200);
      seen.push(...answer.body.data.messages.map((m: { id: string }) => m.id));
      after = answer.body.data.next;
      pages += 1;
    } while (after !== null);
    expect(pages).toBe(2);
    expect(seen).toEqual(MESSAGES.slice(1, 7).map((m) => m.id));
    const exact = await messages('open', ENDED, '?limit=6');
    expect(exact.body.data.next).toBeNull();
    const last = await messages('open', ENDED, `?after=${MESSAGES[6]!.id}`);
    expect(last.body.data).toEqual({ messages: [], next: null });
  });

  it('answers 404 for an unknown room or recording, 400 for a bad name or query', async () => {
    const refusals: Array<[string, string, string, number, string]> = [
      ['nope', ENDED, '', 404, 'ROOM_NOT_FOUND'],
      ['bad%20name', ENDED, '', 400, 'INVALID_ROOM_NAME'],
      ['open', newRecordingId(T0 + 5_000), '', 404, 'RECORDING_NOT_FOUND'],
      ['open', 'not.an.id', '', 404, 'RECORDING_NOT_FOUND'],
      ['open', ENDED, '?limit=0', 400, 'BAD_REQUEST'],
      ['open', ENDED, '?limit=1001', 400, 'BAD_REQUEST'],
      ['open', ENDED, '?limit=2.5', 400, 'BAD_REQUEST'],
      ['open', ENDED, '?limit=abc', 400, 'BAD_REQUEST'],
      ['open', ENDED, '?after=%27%20OR%201%3D1', 400, 'BAD_REQUEST'],
      ['open', ENDED, `?after=${'a'.repeat(65)}`, 400, 'BAD_REQUEST'],
      ['open', ENDED, '?after=a&after=b', 400, 'BAD_REQUEST'],
      ['open', ENDED, '?before=x', 400, 'BAD_REQUEST'],
    ];
    for (const [room, id, query, status, code] of refusals) {
      const answer = await messages(room, id, query);
      expect([answer.status, answer.body.error?.code], `${room} ${id} ${query}`).toEqual([status, code]);
    }
  });

  it('needs a valid join token where the room has no anonymous viewers', async () => {
    expect((await messages('closed', ENDED)).body.error.code).toBe('TOKEN_REQUIRED');
    expect((await messages('closed', ENDED)).status).toBe(401);
    const bad = await messages('closed', ENDED, '', { authorization: 'Bearer not-a-token' });
    expect([bad.status, bad.body.error.code]).toEqual([401, 'TOKEN_INVALID']);
    expect((await messages('closed', ENDED, '', { authorization: 'Basic abc' })).status).toBe(401);
    const otherRoom = await server.token('open', 'viewer1');
    const wrong = await messages('closed', ENDED, '', { authorization: `Bearer ${otherRoom}` });
    expect([wrong.status, wrong.body.error.code, wrong.body.error.message]).toEqual([401, 'TOKEN_INVALID', 'The token is for another room, not closed']);
    // Access is checked before the recording is looked up: no token, no word on which ids exist.
    expect((await messages('closed', newRecordingId(T0 + 5_000))).status).toBe(401);

    const token = await server.token('closed', 'viewer1');
    const ok = await messages('closed', ENDED, '', { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(ok.body.data.messages).toEqual(CLOSED_MESSAGES.slice(1, 7).map(view));
    // A token sent where anonymous viewers are welcome is checked all the same.
    expect((await messages('open', ENDED, '', { authorization: `Bearer ${token}` })).status).toBe(401);
  });

  it('refuses a banned user and a revoked token', async () => {
    const banned = await server.token('closed', 'troll');
    expect((await server.admin('POST', '/api/v1/bans', { user: 'troll', room: 'closed' })).status).toBe(201);
    await expect.poll(async () => (await messages('closed', ENDED, '', { authorization: `Bearer ${banned}` })).body.error?.code).toBe('FORBIDDEN');
    const revoked = await server.token('closed', 'leaver');
    expect((await messages('closed', ENDED, '', { authorization: `Bearer ${revoked}` })).status).toBe(200);
    expect((await server.admin('POST', '/api/v1/tokens/revoke', { user: 'leaver', room: 'closed' })).status).toBe(200);
    const refused = await messages('closed', ENDED, '', { authorization: `Bearer ${revoked}` });
    expect([refused.status, refused.body.error.code, refused.body.error.message]).toEqual([401, 'TOKEN_INVALID', 'The token was revoked']);
  });
});
