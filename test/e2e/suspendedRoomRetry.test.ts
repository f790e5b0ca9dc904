import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serversPerFile } from '../helpers/ServerProcess.js';
import { WebhookReceiver } from '../helpers/WebhookReceiver.js';

/**
 * A stream suspended by a rolling restart is taken over by the worker that opens its room next.
 * When that open fails (the port is taken meanwhile), the note goes back into the folder, so the
 * retry (RETRY_FAILED_MS, 5 s) still finds it and holds the stream, rather than a stream the old
 * worker left neither ended nor resumable.
 */
/** The note an old worker leaves at a rolling restart (LL mode; no recording), saved `ageMs` ago. */
async function writeNote(dir: string, ageMs = 0): Promise<void> {
  const savedAt = Date.now() - ageMs;
  await mkdir(dir, { recursive: true });
  const note = {
    producer: 'cam',
    plan: {
      mode: 'll', outputDir: dir, ladder: false, media: { container: 'flv', video: 'h264', audio: 'aac' }, segmentSeconds: 1, windowSegments: 6,
      streamId: 'abc', partSeconds: 0.2, encodeLimits: { maxWidth: 1920, maxHeight: 1080, maxFps: 60 }, fpsModeOption: '-fps_mode',
    },
    ingest: { protocol: 'rtmp', since: savedAt - 5_000, bytes: 1000, bitrateKbps: 800, video: 'h264', audio: 'aac', keyframeIntervalSeconds: null, warnings: [] },
    since: savedAt - 5_000,
    discontinuity: 0,
    recording: null,
    savedAt,
  };
  await writeFile(path.join(dir, 'suspended-stream'), JSON.stringify(note));
}

describe('a suspended stream whose room fails to open, or whose note was left too long', () => {
  const start = serversPerFile(afterAll);

  it('keeps its note for the retry, which takes the stream over once the port is free', async () => {
    const first = await start({ workers: 1, roomPortCount: 2 });
    const port = (await first.createRoom('held')).body.data.port as number;
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    const dir = first.hlsDir('held');
    await writeNote(dir);

    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, resolve));
    const second = await start({ workers: 1, dataDir: first.dataDir, ports: first.ports, env: { STREAM_RESUME_SECONDS: '30' } });
    await second.waitForLog((line) => line.msg === 'room could not start; retrying' && line.room === 'held', 15_000);
    // Put back for the retry.
    expect(existsSync(path.join(dir, 'suspended-stream'))).toBe(true);

    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    await second.waitForLog((line) => line.msg === 'room started' && line.room === 'held', 15_000);
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { data: { live: boolean } };
    expect(health.data.live).toBe(true);
    expect(existsSync(path.join(dir, 'suspended-stream'))).toBe(false);
  }, 60_000);

  it('ends a stream whose note was left longer than a restart takes (stream.ended, never held)', async () => {
    const receiver = await WebhookReceiver.start();
    const first = await start({ workers: 1, roomPortCount: 2, env: { WEBHOOK_ALLOW_PRIVATE: '1' } });
    expect((await first.admin('POST', '/api/v1/webhooks', { url: receiver.url, events: ['stream.started', 'stream.ended'] })).status).toBe(201);
    const port = (await first.createRoom('left')).body.data.port as number;
    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    await writeNote(first.hlsDir('left'), 61_000);

    const second = await start({ workers: 1, dataDir: first.dataDir, ports: first.ports, env: { WEBHOOK_ALLOW_PRIVATE: '1', STREAM_RESUME_SECONDS: '30' } });
    const ended = await receiver.event('stream.ended', (d) => d.room === 'left', 15_000);
    expect(Date.parse(ended.json.data.startedAt as string)).toBeLessThan(Date.now() - 60_000);
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { data: { live: boolean } };
    expect(health.data.live).toBe(false);
    expect(receiver.received.some((r) => r.json.type === 'stream.started')).toBe(false);
    await second.stop('SIGTERM');
    await receiver.close();
  }, 60_000);
});
