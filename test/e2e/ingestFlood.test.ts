import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { sampleMedia } from '../helpers/media.js';
import { PingProbe } from '../helpers/pingProbe.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** A WebM start that never names a track: the sniffer keeps asking for more bytes. */
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
/** A Cluster element id: the track list is over, and it named no track (415 at once). */
const CLUSTER_ID = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);
const TINY_CHUNKS = 20_000;
/** A worker that answers a ping later than this was blocked (a loaded 2-core CI box answers in tens of ms). */
const RESPONSIVE_MS = 1_500;

/** A chunked POST of `chunks`, one HTTP chunk each, as raw bytes (built before the clock starts). */
function chunkedPost(path: string, chunks: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`)];
  for (const chunk of chunks) parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** Masked binary WebSocket frames (payloads under 126 bytes), as a client sends them, in one buffer. */
function binaryFrames(payloads: Buffer[]): Buffer {
  const frames: Buffer[] = [];
  for (const payload of payloads) {
    const mask = randomBytes(4);
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
    frames.push(Buffer.from([0x82, 0x80 | payload.length]), mask, masked);
  }
  return Buffer.concat(frames);
}

/** The close code in the server's (unmasked) frames after the handshake, or null without a close frame. */
function closeCode(received: Buffer): number | null {
  const start = received.indexOf('\r\n\r\n') + 4;
  for (let at = start; at + 2 <= received.length; ) {
    const opcode = received[at]! & 0x0f;
    let length = received[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      length = received.readUInt16BE(at + 2);
      header = 4;
    }
    if (opcode === 0x8) return received.readUInt16BE(at + header);
    at += header + length;
  }
  return null;
}

/** Writes `bytes` to a fresh connection in one go; resolves with everything the server sent until it closed. */
function sendRaw(port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(received)));
    socket.write(bytes);
  });
}

function upgradeRequest(path: string): Buffer {
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
}

describe('ingest flood: tiny chunks cost linear time and never stall the worker', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let floodPort: number;
  let calm: ChatTestClient;

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 4 });
    floodPort = (await server.createRoom('flood')).body.data.port;
    const calmPort = (await server.createRoom('calm')).body.data.port as number;
    calm = (await ChatTestClient.join(calmPort, { name: 'bystander' })).client;
  });
  afterAll(() => {
    calm?.close();
  });

  it('closes a WebSocket producer sending one-byte frames (4029) while another room keeps answering', async () => {
    const token = await server.token('flood', 'flooder', 'producer');
    // The handshake and every frame in one write: the test process stays idle to time the pings.
    const frames = binaryFrames([EBML_MAGIC, ...Array.from({ length: TINY_CHUNKS }, () => Buffer.of(0)), CLUSTER_ID]);
    const probe = new PingProbe(calm);
    const started = performance.now();
    const received = await sendRaw(floodPort, Buffer.concat([upgradeRequest(`/ingest?token=${token}`), frames]));
    const result = probe.stop();
    const code = closeCode(received);
    const seen = `closed ${code} after ${Math.round(performance.now() - started)} ms; slowest ping ${result.worstMs} ms (${result.answered} answered)`;
    expect(result.worstMs, seen).toBeLessThan(RESPONSIVE_MS);
    expect(code, seen).toBe(4029);
    expect(received.toString('latin1')).toContain('"code":"INGEST_TOO_FAST"');
    // The line docs/security.md promises for a cut producer.
    await server.waitForLog((line) => line.msg === 'ingest failed' && line.code === 'INGEST_TOO_FAST');
  }, 120_000);

  it('cuts an HTTP body of one-byte chunks (429) while another room keeps answering', async () => {
    const token = await server.token('flood', 'chunker', 'producer');
    const body = chunkedPost(`/ingest?token=${token}`, [EBML_MAGIC, ...Array.from({ length: TINY_CHUNKS }, () => Buffer.of(0)), CLUSTER_ID]);
    await expectCutWhileOthersAnswer(body);
  }, 120_000);

  it('cuts a flowing HTTP stream that goes on in one-byte chunks (429) while another room keeps answering', async () => {
    const token = await server.token('flood', 'trickler', 'producer');
    // A real stream start (ffmpeg starts on it), then the rest of the stream a byte per chunk.
    const media = await sampleMedia('ts-h264-aac', 2);
    const start = media.subarray(0, 32 * 1024);
    const rest = Array.from({ length: TINY_CHUNKS }, (_, i) => Buffer.of(media[(start.length + i) % media.length]!));
    await expectCutWhileOthersAnswer(chunkedPost(`/ingest?token=${token}`, [start, ...rest]));
  }, 120_000);

  /** Sends the whole body in one write; the answer must be 429 INGEST_TOO_FAST and the other room's pings quick. */
  async function expectCutWhileOthersAnswer(body: Buffer): Promise<void> {
    const probe = new PingProbe(calm);
    const started = performance.now();
    const [head = '', json = ''] = (await sendRaw(floodPort, body)).toString('latin1').split('\r\n\r\n');
    const result = probe.stop();
    const seen = `${head.split('\r\n')[0]} after ${Math.round(performance.now() - started)} ms; slowest ping ${result.worstMs} ms (${result.answered} answered)`;
    expect(result.worstMs, seen).toBeLessThan(RESPONSIVE_MS);
    expect(head, seen).toMatch(/^HTTP\/1.1 429 /);
    expect(JSON.parse(json).error.code).toBe('INGEST_TOO_FAST');
  }
});
