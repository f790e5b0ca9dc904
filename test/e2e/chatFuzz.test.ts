import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_TYPES } from '../../src/contracts/chatFrames.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** Frames a hostile or broken client might send: JSON of the right and wrong shapes, text, bytes. */
const frameArbitrary = fc.oneof(
  fc.record(
    {
      type: fc.oneof(fc.constantFrom(...CLIENT_TYPES), fc.string(), fc.jsonValue()),
      text: fc.oneof(fc.string({ maxLength: 3000 }), fc.jsonValue()),
      name: fc.oneof(fc.string({ maxLength: 50 }), fc.jsonValue()),
      token: fc.oneof(fc.string(), fc.jsonValue()),
      user: fc.oneof(fc.string(), fc.jsonValue()),
      before: fc.oneof(fc.string(), fc.jsonValue()),
      duration: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
      scope: fc.oneof(fc.constantFrom('room', 'global'), fc.jsonValue()),
      ref: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ).map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
);

describe('chat fuzzing (fast-check, real server)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let port: number;

  beforeAll(async () => {
    server = await start({ workers: 1, env: { CHAT_RATE: '10000', CHAT_BURST: '10000' } });
    port = (await server.createRoom('fuzz')).body.data.port;
  });

  it('never crashes the worker, whatever frames arrive', async () => {
    const before = (await server.admin('GET', '/api/v1/stats')).body.data.workers[0];
    let client = (await ChatTestClient.join(port, { name: 'Fuzzer' })).client;
    let fresh = await ChatTestClient.connect(port);
    const deadline = Date.now() + 8_000;
    let sent = 0;
    let errors = 0;
    const countErrors = (c: ChatTestClient) => c.frames.filter((f) => f.type === 'error').length;
    await fc.assert(
      fc.asyncProperty(fc.array(frameArbitrary, { minLength: 1, maxLength: 20 }), fc.boolean(), async (frames, joined) => {
        if (Date.now() > deadline) return;
        // Frames go both to a joined client and to one that never joined.
        let target = joined ? client : fresh;
        if (target.ws.readyState !== target.ws.OPEN) {
          errors += countErrors(target);
          target = joined ? (client = (await ChatTestClient.join(port, { name: `Fuzzer${Date.now()}` })).client) : (fresh = await ChatTestClient.connect(port));
        }
        for (const frame of frames) target.ws.send(frame);
        sent += frames.length;
        if (target.ws.readyState === target.ws.OPEN) {
          // A pong proves the worker handled everything before it; a close is an answer too.
          const ref = `sync-${Math.random()}`;
          target.send({ type: 'ping', ref });
          await Promise.race([target.next((f) => f.type === 'pong' && f.ref === ref, 10_000), target.closed]);
        }
      }),
      { numRuns: 3000, interruptAfterTimeLimit: 9_000 },
    );
    errors += countErrors(client) + countErrors(fresh);
    client.close();
    fresh.close();
    // The run really exercised the parser: thousands of frames, most of them refused.
    expect(sent).toBeGreaterThan(1000);
    expect(errors).toBeGreaterThan(sent / 4);

    const after = (await server.admin('GET', '/api/v1/stats')).body.data.workers[0];
    expect(after.pid).toBe(before.pid);
    expect(after.restarts).toBe(0);
    const { client: check } = await ChatTestClient.join(port, { name: 'After' });
    check.send({ type: 'message', text: 'still standing', ref: 'ok' });
    expect(await check.next((f) => f.type === 'message' && f.ref === 'ok')).toMatchObject({ text: 'still standing' });
    check.close();
  }, 30_000);
});
