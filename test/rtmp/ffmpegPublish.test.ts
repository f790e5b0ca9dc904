import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FlvStream, type FlvTag } from '../../src/rtmp/flv.js';
import { RtmpSession, type RtmpFailure } from '../../src/rtmp/RtmpSession.js';

const FFMPEG = '/usr/bin/ffmpeg';
const FFPROBE = '/usr/bin/ffprobe';
const haveFfmpeg = spawnSync(FFMPEG, ['-version']).status === 0 && spawnSync(FFPROBE, ['-version']).status === 0;

interface Seen {
  publishes: { app: string; streamKey: string }[];
  tags: FlvTag[];
  failures: RtmpFailure[];
  flv: Buffer[];
  unpublished: number;
}

let server: Server | undefined;

afterEach(async () => {
  if (server !== undefined) {
    server.close();
    await once(server, 'close');
    server = undefined;
  }
});

/** A tiny RTMP server: each connection gets a session; key `good` may publish. */
async function startServer(): Promise<{ port: number; seen: Seen }> {
  const seen: Seen = { publishes: [], tags: [], failures: [], flv: [], unpublished: 0 };
  server = createServer((socket) => {
    const session = new RtmpSession(socket, {
      authorize: (_app, key) => (key === 'good' ? Promise.resolve() : Promise.reject(new Error('This stream key is not valid for this room'))),
    });
    const flv = new FlvStream();
    session.on('publish', (p) => seen.publishes.push(p));
    session.on('tag', (tag) => {
      seen.tags.push(tag);
      seen.flv.push(flv.push(tag));
    });
    session.on('failed', (failure) => seen.failures.push(failure));
    session.on('unpublish', () => seen.unpublished++);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, seen };
}

async function publish(port: number, key: string): Promise<{ code: number | null; stderr: string }> {
  const args = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-f', 'lavfi', '-i', 'sine'];
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '30', '-c:a', 'aac', '-t', '3', '-f', 'flv', `rtmp://127.0.0.1:${port}/live/${key}`);
  const child = spawn(FFMPEG, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

function probe(flv: Buffer): string[] {
  const result = spawnSync(FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: flv });
  return result.stdout.toString().trim().split('\n').sort();
}

describe.skipIf(!haveFfmpeg)('an ffmpeg publisher', () => {
  it('publishes H.264 + AAC with key good, as an FLV stream ffprobe reads', async () => {
    const { port, seen } = await startServer();
    const result = await publish(port, 'good');
    expect(result.code, result.stderr).toBe(0);
    expect(seen.failures).toEqual([]);
    expect(seen.publishes).toEqual([{ app: 'live', streamKey: 'good' }]);
    const video = seen.tags.filter((t) => t.type === 9);
    const audio = seen.tags.filter((t) => t.type === 8);
    expect(video.length).toBeGreaterThan(60);
    expect(audio.length).toBeGreaterThan(60);
    // AVC sequence header: keyframe + codec 7 (0x17), AVCPacketType 0.
    expect(video[0]!.data[0]).toBe(0x17);
    expect(video[0]!.data[1]).toBe(0);
    // AAC (format 10, high nibble 0xa), AACPacketType 0: the AudioSpecificConfig.
    expect(audio[0]!.data[0]! >> 4).toBe(10);
    expect(audio[0]!.data[1]).toBe(0);
    expect(seen.tags[0]!.type).toBe(18);
    expect(seen.unpublished).toBe(1);
    expect(probe(Buffer.concat(seen.flv))).toEqual(['aac', 'h264']);
  });

  it('refuses key bad: ffmpeg exits non-zero and the session reports the refusal', async () => {
    const { port, seen } = await startServer();
    const result = await publish(port, 'bad');
    expect(result.code).not.toBe(0);
    expect(seen.publishes).toEqual([]);
    expect(seen.tags).toEqual([]);
    expect(seen.failures).toEqual([{ code: 'PUBLISH_REFUSED', message: 'This stream key is not valid for this room' }]);
  });
});
