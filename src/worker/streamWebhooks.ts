import type { EventEmitter } from 'node:events';
import type { StreamIngest } from '../contracts/ingest.js';
import type { LiveStreamEvents } from '../hls/LiveStream.js';
import type { WebhookRelay } from './WebhookRelay.js';

export interface StreamWebhookSource extends EventEmitter<LiveStreamEvents> {
  ingest(): StreamIngest | null;
}

/**
 * Raises `stream.started` and `stream.ended` for a room's broadcasts (a producer that drops and
 * comes back within the grace continues the same broadcast: one pair). The bytes are the
 * producer's, sampled as the stream writes files (the ingest is gone by the time it ends);
 * `recording` is the recording the room's recorder opened for the broadcast, if any.
 */
export function raiseStreamWebhooks(
  room: { readonly name: string; readonly port: number },
  stream: StreamWebhookSource,
  relay: WebhookRelay,
  recording: () => string | null,
): void {
  let broadcast: { startedAt: number; recording: string | null; bytes: number } | null = null;
  const sample = (): void => {
    if (broadcast) broadcast.bytes = Math.max(broadcast.bytes, stream.ingest()?.bytes ?? 0);
  };
  stream.on('broadcastStarted', (startedAt) => {
    // The recorder listens first: its recording for this broadcast exists now.
    broadcast = { startedAt, recording: recording(), bytes: 0 };
    sample();
    relay.raise({ type: 'stream.started', room: room.name, at: Date.now(), data: { room: room.name, protocol: stream.ingest()?.protocol ?? null, startedAt: new Date(startedAt).toISOString() } });
  });
  // A broadcast the previous worker suspended at a rolling restart goes on here: no second stream.started.
  stream.on('broadcastCarried', (startedAt) => {
    broadcast = { startedAt, recording: recording(), bytes: 0 };
  });
  stream.on('files', sample);
  stream.on('recordable', () => {
    if (broadcast) broadcast.recording ??= recording();
  });
  stream.on('broadcastEnded', (endedAt) => {
    if (!broadcast) return;
    sample();
    const { startedAt, bytes } = broadcast;
    const link = broadcast.recording === null ? null : relay.recordingUrl(room.port, broadcast.recording);
    broadcast = null;
    relay.raise({
      type: 'stream.ended',
      room: room.name,
      at: endedAt,
      data: { room: room.name, startedAt: new Date(startedAt).toISOString(), endedAt: new Date(endedAt).toISOString(), duration: Math.max(0, (endedAt - startedAt) / 1000), bytes, recording: link },
    });
  });
}
