import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parsePlaylist } from '../../src/hls/playlist.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { segmentFile } from '../helpers/hlsSegments.js';
import { probe, sampleMedia } from '../helpers/media.js';
import { workerFfmpegs } from '../helpers/processes.js';
import { IngestSocket } from '../helpers/producer.js';
import { roomWatchers } from '../helpers/roomWatchers.js';
import { isAlive, serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** Low-Latency HLS through a stream's life: a ladder, an ffmpeg crash, a room deleted with requests held. */
describe('Low-Latency HLS: ladder, crash, room deletion', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  const { rooms, clients, join } = roomWatchers(afterAll);
  const text = async (port: number, file: string) => (await fetch(`http://127.0.0.1:${port}/hls/${file}`)).text();

  /**
   * A blocking reload for a segment two ahead, once the worker counts it held (stats and /metrics). The
   * stream is a 3 s upload, so the segment asked for may come anyway while the upload is still being
   * transcoded (a loaded machine): then it asks again, from the newer playlist.
   */
  async function holdPlaylistRequest(port: number): Promise<Promise<number>> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const playlist = parsePlaylist(await text(port, 'index.m3u8'));
      let answered = false;
      const held = new Promise<number>((resolve) => {
        http
          .get({ host: '127.0.0.1', port, path: `/hls/index.m3u8?_HLS_msn=${playlist.mediaSequence + playlist.segments.length + 1}`, agent: false }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          })
          .on('error', () => resolve(-1));
      }).finally(() => (answered = true));
      const counted = vi.waitFor(
        async () => {
          if (answered) return false;
          expect(((await server.stats()).workers as Array<{ hlsHeld: number }>)[0]!.hlsHeld).toBe(1);
          expect(String((await server.admin('GET', '/metrics')).body)).toMatch(/^chatserver_hls_held_requests\{worker="0"\} 1$/m);
          return !answered;
        },
        { timeout: 10_000 },
      );
      if (await counted) return held;
    }
    throw new Error('every blocking reload was answered before the worker counted it held');
  }

  beforeAll(async () => {
    server = await start({ workers: 1, roomPortCount: 6 });
    rooms.crash = (await server.createRoom('crash')).body.data.port;
  });

  it('serves every rendition of a ladder with parts, behind a master playlist it writes itself', async () => {
    const port = (await server.createRoom('ladder', { ladder: true, segmentSeconds: 2 })).body.data.port as number;
    const producer = await IngestSocket.live(port, await server.token('ladder', 'cam', 'producer'), await sampleMedia('flv-h264-aac', 5), 30_000);
    const masterText = await text(port, 'index.m3u8');
    const master = parsePlaylist(masterText);
    expect(master.master).toBe(true);
    expect(master.variants).toEqual(['v0.m3u8', 'v1.m3u8', 'v2.m3u8']);
    expect(masterText).toMatch(/CODECS="avc1\.[0-9a-f]{6},mp4a\.40\.2"/);
    expect(masterText).toMatch(/RESOLUTION=320x240/);
    // Each rendition reports the others' live edge (players switch without a blind reload).
    expect(await text(port, 'v1.m3u8')).toMatch(/#EXT-X-RENDITION-REPORT:URI="v0\.m3u8",LAST-MSN=\d+/);
    producer.close();
    await producer.closed;
    const heights: number[] = [];
    for (const variant of master.variants) {
      await expect.poll(async () => parsePlaylist(await text(port, variant)).ended, { timeout: 20_000 }).toBe(true);
      const media = parsePlaylist(await text(port, variant));
      expect(media.partTarget).not.toBeNull();
      const probed = await probe(await segmentFile(`http://127.0.0.1:${port}/hls/`, media.segments[0]!));
      expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
      heights.push(probed.streams.find((s) => s.codec_type === 'video')!.height!);
    }
    // The source is 240 lines high: renditions never upscale.
    expect(heights).toEqual([240, 240, 240]);
  }, 60_000);

  it('ends the stream when ffmpeg dies mid-fragment, keeps what it made playable, and takes the producer back', async () => {
    const port = rooms.crash!;
    const { client } = await join('crash');
    const token = await server.token('crash', 'cam', 'producer');
    // The ladder test's ffmpegs may still be on their way out: this room's is the new one.
    const before = new Set(await workerFfmpegs(server));
    const producer = await IngestSocket.live(port, token, await sampleMedia('webm-vp8-opus', 3));
    await client.next((f) => f.type === 'stream' && f.state === 'live', 10_000);
    const [pid, ...others] = (await workerFfmpegs(server)).filter((running) => !before.has(running));
    expect(others).toEqual([]);
    process.kill(pid!, 'SIGKILL');
    expect(await producer.next((f) => f.type === 'error')).toMatchObject({ code: 'MEDIA_INVALID' });
    expect(await client.next((f) => f.type === 'stream' && f.state === 'ended', 10_000)).toMatchObject({ live: false });
    const ended = parsePlaylist(await text(port, 'index.m3u8'));
    expect(ended.ended).toBe(true);
    expect(ended.preloadHint).toBeNull();
    // Every segment it lists is whole: ffprobe decodes the ended playlist.
    expect((await probe(`http://127.0.0.1:${port}/hls/index.m3u8`)).streams.map((s) => s.codec_name)).toContain('h264');

    const again = await IngestSocket.live(port, token, await sampleMedia('webm-vp8-opus', 3));
    await client.next((f) => f.type === 'stream' && f.state === 'live', 10_000);
    // A new broadcast: new names, the old one's files gone.
    const fresh = parsePlaylist(await text(port, 'index.m3u8'));
    expect(fresh.segments[0]!.map).not.toBe(ended.segments[0]!.map);
    // Its media sequence numbers go on from the last broadcast's: a cached blocking answer of that one never stands for this one.
    expect(fresh.mediaSequence).toBeGreaterThan(ended.mediaSequence + ended.segments.length - 1);
    expect((await fetch(`http://127.0.0.1:${port}/hls/${ended.segments[0]!.uri}`)).status).toBe(404);
    again.close();
    await again.closed;
  }, 60_000);

  it('answers held requests and stops ffmpeg when a live room is deleted', async () => {
    const port = (await server.createRoom('doomed')).body.data.port as number;
    const { client } = await ChatTestClient.join(port, { name: 'watcher' });
    clients.push(client);
    // Stream ffmpegs of earlier tests' rooms may still be on their way out: this room's is the new one.
    const before = new Set(await workerFfmpegs(server));
    const producer = await IngestSocket.live(port, await server.token('doomed', 'cam', 'producer'), await sampleMedia('webm-vp8-opus', 3));
    const running = (await workerFfmpegs(server)).filter((pid) => !before.has(pid));
    expect(running).toHaveLength(1);
    const held = await holdPlaylistRequest(port);
    expect((await server.api('DELETE', '/api/v1/room/doomed', { key: server.env.KEY })).status).toBe(200);
    expect(await client.next((f) => f.type === 'closed')).toBeTruthy();
    expect((await producer.closed).code).toBe(4000);
    expect([200, 404]).toContain(await held);
    expect(running.filter(isAlive)).toEqual([]);
  }, 60_000);
});
