import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pushTestPattern } from '../helpers/media.js';
import { serversPerTest } from '../helpers/ServerProcess.js';
import { WebhookReceiver } from '../helpers/WebhookReceiver.js';
import { schemaErrors } from '../helpers/webhookSchemas.js';

describe('stream webhooks (real server, real ffmpeg push)', () => {
  const start = serversPerTest(afterEach);
  let receiver: WebhookReceiver;
  beforeEach(async () => (receiver = await WebhookReceiver.start()));
  afterEach(async () => receiver.close());

  it('sends stream.started, then stream.ended with the duration, the bytes pushed and the recording link', { timeout: 30_000 }, async () => {
    const server = await start({ workers: 1, env: { WEBHOOK_ALLOW_PRIVATE: '1', STREAM_RESUME_SECONDS: '0' } });
    expect((await server.admin('POST', '/api/v1/webhooks', { url: receiver.url, events: ['stream.started', 'stream.ended'] })).status).toBe(201);
    const port = (await server.createRoom('onair')).body.data.port as number;
    const token = await server.token('onair', 'cam', 'producer');
    const pushed = await pushTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, 3);
    expect(pushed.code, pushed.stderr).toBe(0);
    const started = await receiver.event('stream.started', (d) => d.room === 'onair');
    const ended = await receiver.event('stream.ended', (d) => d.room === 'onair', 15_000);
    expect(started.json.data.protocol).toBe('http');
    expect(ended.json.data.duration).toBeGreaterThan(1);
    expect(ended.json.data.bytes).toBeGreaterThan(10_000);
    expect(ended.json.data.recording).toMatch(new RegExp(`^http://[^/]+:${port}/recordings/[^/]+/index\\.m3u8$`));
    expect(receiver.received.indexOf(started)).toBeLessThan(receiver.received.indexOf(ended));
    for (const received of receiver.received) expect(schemaErrors(received.json)).toEqual([]);
  });
});
