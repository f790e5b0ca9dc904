/**
 * The webhook receiver in a process of its own (bench/lib/remoteWebhookSink.ts starts it): the
 * receiving service of a real site runs elsewhere, and 1,000 requests a second on the load
 * generator's event loop would delay the fan-out latencies it measures. Over IPC it takes
 * `{op: 'path', path, delayMs}` and answers `{op: 'figures', path}` with that path's figures.
 */
import { startWebhookSink, type SinkPath } from './webhookSink.js';

export type SinkCall = { op: 'path'; path: string; delayMs: number } | { op: 'figures'; path: string };
export type SinkRequest = SinkCall & { id: number };
export interface SinkFigures {
  delivered: number;
  requests: number;
  firstAttemptMs: number[];
  outOfOrder: number;
}

const sink = await startWebhookSink();
const paths = new Map<string, SinkPath>();
process.on('message', (request: SinkRequest) => {
  if (request.op === 'path') {
    paths.set(request.path, sink.path(request.path, request.delayMs));
    return void process.send!({ id: request.id });
  }
  const figures = paths.get(request.path);
  const answer: SinkFigures | undefined = figures && { delivered: figures.delivered.size, requests: figures.requests, firstAttemptMs: figures.firstAttemptMs, outOfOrder: figures.outOfOrder };
  process.send!({ id: request.id, figures: answer });
});
process.on('disconnect', () => sink.close());
process.send!({ id: 0, base: sink.url('') });
