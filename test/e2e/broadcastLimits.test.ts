import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { FFPROBE, makeMedia, probe, sampleMedia, testFfmpeg } from '../helpers/media.js';
import { segmentFile } from '../helpers/hlsSegments.js';
import { IngestSocket, rawRequest } from '../helpers/producer.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const run = promisify(execFile);

/**
 * A live producer over HTTP, as the README's `ffmpeg -re ... -f mpegts http://...` is, but with
 * ffmpeg writing to us and us to the server, so the test reads the server's answer.
 */
function livePost(port: number, token: string, ffmpeg: string, args: string[]): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const producer = spawn(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-re', ...args, '-f', 'mpegts', 'pipe:1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: `/ingest?token=${token}`, method: 'POST', agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        producer.kill('SIGKILL');
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { error?: { code: string; message: string } } });
      });
    });
    req.on('error', (error) => {
      producer.kill('SIGKILL');
      reject(error);
    });
    producer.stdout.pipe(req);
  });
}

/** The size of the first video stream of a file or URL. */
async function videoSize(target: string): Promise<{ width: number; height: number }> {
  const { streams } = await probe(target);
  const video = streams.find((stream) => stream.codec_type === 'video')!;
  return { width: video.width!, height: video.height! };
}

describe('broadcast limits: segment size, encode caps, ranges', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  const rooms: Record<string, number> = {};
  const playlist = async (room: string) => parsePlaylist((await rawRequest(rooms[room]!, '/hls/index.m3u8')).body.toString());
  const producerToken = (room: string) => server.token(room, `${room}-cam`, 'producer');
  /**
   * After the producer of a live stream closed: its ffmpeg has exited (its encoder slot is free
   * again) once the room's ingest status is no longer live, and the room takes a producer again.
   */
  const streamFinished = async (room: string) => {
    const token = await producerToken(room);
    const status = async () => JSON.parse((await rawRequest(rooms[room]!, `/ingest?token=${token}`)).body.toString()).data;
    await expect.poll(status, { timeout: 20_000, interval: 100 }).toMatchObject({ ready: true, stream: { live: false } });
  };

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 10, env: { MAX_ENCODES_PER_WORKER: '1', HLS_MAX_SEGMENT_SECONDS: '3' } });
    for (const name of ['sparse', 'fast', 'big', 'fps', 'busy1', 'busy2', 'copy']) rooms[name] = (await server.createRoom(name)).body.data.port;
    rooms.range = (await server.createRoom('range', { segmentSeconds: 2 })).body.data.port;
  });

  it('stops a live H.264 producer whose keyframes are 24 s apart, telling it to set a keyframe interval', async () => {
    const started = Date.now();
    const answer = await livePost(rooms.sparse!, await producerToken('sparse'), await testFfmpeg(), [
      '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '30',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '600', '-keyint_min', '600', '-sc_threshold', '0', '-pix_fmt', 'yuv420p',
    ]);
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: 'KEYFRAMES_TOO_SPARSE', message: expect.stringMatching(/keyframe interval to 1 s/) });
    // Found while the first segment was still growing, long before its keyframe 24 s in.
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 60_000);

  it('stops a sparse-keyframe stream pushed faster than real time when its first long segment is listed', async () => {
    const media = await makeMedia(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '20'], ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '250', '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-f', 'mpegts']);
    const answer = await rawRequest(rooms.fast!, `/ingest?token=${await producerToken('fast')}`, { method: 'POST', body: media });
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.body.toString()).error.code).toBe('KEYFRAMES_TOO_SPARSE');
  }, 60_000);

  it('encodes a tiny VP8 upload declaring 4K at no more than 1920x1080', async () => {
    const media = await makeMedia(['-f', 'lavfi', '-i', 'color=c=navy:size=3840x2160:rate=5', '-t', '3'], ['-c:v', 'libvpx', '-b:v', '100k', '-deadline', 'realtime', '-cpu-used', '8', '-g', '5', '-f', 'webm']);
    expect(media.length).toBeLessThan(200_000);
    const producer = await IngestSocket.live(rooms.big!, await producerToken('big'), media, 30_000);
    const segment = (await playlist('big')).segments[0]!;
    expect(await videoSize(await segmentFile(`http://127.0.0.1:${rooms.big}/hls/`, segment))).toEqual({ width: 1920, height: 1080 });
    producer.close();
    await streamFinished('big');
  }, 60_000);

  it('thins a 120 fps upload to at most 60 fps', async () => {
    const media = await makeMedia(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=120', '-t', '3'], ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-g', '120', '-f', 'webm']);
    const producer = await IngestSocket.live(rooms.fps!, await producerToken('fps'), media, 30_000);
    producer.close();
    await streamFinished('fps');
    expect((await playlist('fps')).ended).toBe(true);
    // The rate from the frames' own times (the last segment's EXTINF is not exact).
    const { stdout } = await run(FFPROBE, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', `http://127.0.0.1:${rooms.fps}/hls/index.m3u8`]);
    const times = stdout.split('\n').map((line) => Number.parseFloat(line)).filter(Number.isFinite);
    const fps = (times.length - 1) / (times.at(-1)! - times[0]!);
    expect(times.length).toBeGreaterThan(150);
    expect(fps).toBeLessThanOrEqual(60.5);
    expect(fps).toBeGreaterThan(55);
  }, 60_000);

  it('refuses a second stream that needs an encode past MAX_ENCODES_PER_WORKER, and still takes copied ones', async () => {
    const first = await IngestSocket.live(rooms.busy1!, await producerToken('busy1'), await sampleMedia('webm-vp8-opus', 3), 30_000);

    const second = await IngestSocket.open(rooms.busy2!, await producerToken('busy2'));
    await second.feed(await sampleMedia('webm-vp8-opus', 3));
    expect(await second.next((f) => f.type === 'error')).toMatchObject({ code: 'ENCODER_BUSY', message: expect.stringMatching(/encoding as many streams as it may \(1\)/) });
    expect((await second.closed).code).toBe(1013);
    const post = await rawRequest(rooms.busy2!, `/ingest?token=${await producerToken('busy2')}`, { method: 'POST', body: await sampleMedia('webm-vp8-opus', 1) });
    expect(post.status).toBe(503);
    expect(JSON.parse(post.body.toString()).error.code).toBe('ENCODER_BUSY');

    // H.264 is copied: no encoder slot needed.
    const copied = await rawRequest(rooms.copy!, `/ingest?token=${await producerToken('copy')}`, { method: 'POST', body: await sampleMedia('ts-h264-aac', 3) });
    expect(copied.status).toBe(200);

    first.close();
    await streamFinished('busy1');
    // The slot is free again once the first stream ended.
    const again = await IngestSocket.live(rooms.busy2!, await producerToken('busy2'), await sampleMedia('webm-vp8-opus', 3), 30_000);
    again.close();
    await again.closed;
  }, 90_000);

  it('answers a Range request on a part and a segment with 206 and exactly those bytes, from memory', async () => {
    // Lossless H.264 of noise, copied into 2 s segments: several MiB each.
    const media = await makeMedia(['-f', 'lavfi', '-i', 'nullsrc=size=320x240:rate=25,geq=lum=random(1)*255:cb=128:cr=128', '-t', '6'], ['-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-g', '50', '-pix_fmt', 'yuv420p', '-f', 'mpegts']);
    expect((await rawRequest(rooms.range!, `/ingest?token=${await producerToken('range')}`, { method: 'POST', body: media })).status).toBe(200);
    const listed = await playlist('range');
    const sizes: number[] = [];
    for (const uri of [listed.segments[0]!.uri, listed.segments[1]!.uri, listed.segments[1]!.parts[0]?.uri ?? listed.segments[1]!.uri]) {
      const whole = await rawRequest(rooms.range!, `/hls/${uri}`);
      expect(whole.status).toBe(200);
      expect(whole.headers['accept-ranges']).toBe('bytes');
      const size = whole.body.length;
      sizes.push(size);
      const part = await rawRequest(rooms.range!, `/hls/${uri}`, { headers: { range: 'bytes=1000-1999' } });
      expect(part.status).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 1000-1999/${size}`);
      expect(part.body.equals(whole.body.subarray(1000, 2000))).toBe(true);
      const tail = await rawRequest(rooms.range!, `/hls/${uri}`, { headers: { range: 'bytes=-188' } });
      expect(tail.body.equals(whole.body.subarray(size - 188))).toBe(true);
      const past = await rawRequest(rooms.range!, `/hls/${uri}`, { headers: { range: `bytes=${size}-` } });
      expect(past.status).toBe(416);
      expect(past.headers['content-range']).toBe(`bytes */${size}`);
    }
    expect(Math.max(...sizes)).toBeGreaterThan(2 * 1024 * 1024);
    expect((await probe(`http://127.0.0.1:${rooms.range}/hls/index.m3u8`)).streams[0]).toMatchObject({ codec_name: 'h264', width: 320 });
  }, 60_000);
});
