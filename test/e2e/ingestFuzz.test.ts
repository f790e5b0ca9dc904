import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerFfmpegs } from '../helpers/processes.js';
import { IngestSocket } from '../helpers/producer.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** What a broken or hostile producer sends: noise, or noise behind a real container's magic bytes. */
const MAGIC = [
  Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), // EBML (WebM / Matroska)
  Buffer.from('FLV\x01\x05\x00\x00\x00\x09', 'latin1'),
  Buffer.from([0x47, 0x40, 0x00, 0x10]), // an MPEG-TS packet header
];
const mediaArbitrary = fc
  .tuple(fc.option(fc.constantFrom(...MAGIC), { nil: undefined }), fc.array(fc.uint8Array({ minLength: 1, maxLength: 32 * 1024 }), { minLength: 1, maxLength: 4 }))
  .map(([magic, chunks]) => (magic ? [Buffer.concat([magic, Buffer.from(chunks[0]!)]), ...chunks.slice(1).map((c) => Buffer.from(c))] : chunks.map((c) => Buffer.from(c))));

/** Closes a producer may see: the stream ended, bad data, not media, ffmpeg could not read it. */
const EXPECTED_CLOSES = new Set([1000, 1003, 4015, 4022]);

describe('ingest fuzzing (fast-check, real server and ffmpeg)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let port: number;
  let token: string;

  beforeAll(async () => {
    server = await start({ workers: 1 });
    port = (await server.createRoom('fuzzed')).body.data.port;
    token = await server.token('fuzzed', 'fuzzer', 'producer');
  });

  it('answers every garbage stream with a clear close, never crashes, and leaves no ffmpeg', async () => {
    await fc.assert(
      fc.asyncProperty(mediaArbitrary, async (chunks) => {
        const producer = await IngestSocket.open(port, token);
        for (const chunk of chunks) if (producer.ws.readyState === producer.ws.OPEN) producer.ws.send(chunk);
        if (producer.ws.readyState === producer.ws.OPEN) producer.close();
        const { code } = await producer.closed;
        expect(EXPECTED_CLOSES.has(code), `close ${code}`).toBe(true);
        // The slot is free again once the stream is over (409 would mean a leak).
        await expect.poll(async () => ((await (await fetch(`http://127.0.0.1:${port}/ingest?token=${token}`)).json()) as { data?: { ready?: boolean } }).data?.ready, { timeout: 15_000 }).toBe(true);
      }),
      { numRuns: 25, interruptAfterTimeLimit: 40_000 },
    );
    await expect.poll(() => workerFfmpegs(server), { timeout: 15_000 }).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    // The worker never died (it would have been replaced).
    expect(((await server.stats()).workers as Array<{ restarts: number }>).map((worker) => worker.restarts)).toEqual([0]);
  }, 90_000);
});
