import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { sampleMedia } from '../helpers/media.js';
import { rawRequest } from '../helpers/producer.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const KEY = 'log-test-api-key-0123456789abcdef';
const ADMIN_KEY = 'log-test-admin-key-0123456789abcdef';

describe('tokens and keys never reach the logs (real server at LOG_LEVEL=debug)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  beforeAll(async () => {
    server = await start({ workers: 1, env: { KEY, ADMIN_KEY, LOG_LEVEL: 'debug' } });
  });

  it('logs page, API and ingest requests carrying ?token= and keys without them', async () => {
    const port = (await server.createRoom('quiet')).body.data.port as number;
    const producer = await server.token('quiet', 'cam', 'producer');
    const viewer = await server.token('quiet', 'watcher', 'viewer');

    // Pages and the public API, with the token (and a key) in the URL, as links carry them.
    expect((await server.api('GET', `/broadcast/quiet?token=${producer}`)).status).toBe(200);
    expect((await server.api('GET', `/watch/quiet?token=${viewer}&key=${KEY}`)).status).toBe(200);
    expect((await server.api('GET', `/no/such/page?token=${producer}`)).status).toBe(404);
    // Keys in headers, on both APIs.
    expect((await server.api('GET', '/api/v1/rooms', { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    expect((await server.admin('GET', '/api/v1/rooms')).status).toBe(200);
    expect((await server.api('GET', '/metrics', { admin: true, headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(200);

    // Ingest: a refused one, a status check, and a real (short) stream, each with ?token=.
    expect((await rawRequest(port, `/ingest?token=${viewer}`, { method: 'POST', body: Buffer.alloc(1024, 0x47) })).status).toBe(403);
    expect((await rawRequest(port, `/ingest?token=${producer}`)).status).toBe(200);
    const media = await sampleMedia('ts-h264-aac', 1);
    const streamed = await rawRequest(port, `/ingest?token=${producer}`, { method: 'POST', body: media });
    expect(streamed.status).toBe(200);
    // What the log holds is the behaviour here: every line the requests left, once the push is over.
    await server.waitForLog((line) => line.msg === 'ingest finished', 20_000);

    // Chat: a token in a join frame, and one refused.
    const { client } = await ChatTestClient.join(port, { token: viewer });
    client.close();
    const refused = await ChatTestClient.connect(port);
    refused.send({ type: 'join', token: `${producer}x` });
    await refused.closed;

    // The request lines are there (so the URLs were logged), scrubbed.
    const requests = server.logs.filter((line) => line.msg === 'request');
    expect(requests.map((line) => line.url)).toEqual(
      expect.arrayContaining([
        '/broadcast/quiet?token=[redacted]',
        '/watch/quiet?token=[redacted]&key=[redacted]',
        '/no/such/page?token=[redacted]',
      ]),
    );
    const everything = [...server.logs.map((line) => JSON.stringify(line)), server.stderr].join('\n');
    for (const secret of [producer, viewer, KEY, ADMIN_KEY]) expect(everything).not.toContain(secret);
    // Not even a part of a token (the signature alone could be replayed with its header and payload).
    for (const token of [producer, viewer]) for (const part of token.split('.')) expect(everything).not.toContain(part);
  });
});
