/**
 * The webhook receiver of bench/webhooks.ts: one local HTTP server, one path per endpoint, each
 * answering after its own delay. Per path it keeps the first 2xx of each webhook-id (the
 * delivery), the time from the event's timestamp to its first request, and whether each room's
 * events arrived in the order they were sent (messages carry their send index, `m<n>`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkPath {
  /** Distinct events answered 2xx. */
  readonly delivered: Set<string>;
  /** Requests, retries included. */
  requests: number;
  /** Milliseconds from the event's timestamp to its first request (one per event). */
  readonly firstAttemptMs: number[];
  /** Events delivered after a later event of the same room. */
  outOfOrder: number;
  /** The highest message index delivered so far, per room. */
  readonly lastIndex: Map<string, number>;
}

export interface WebhookSink {
  readonly url: (path: string) => string;
  readonly path: (path: string, delayMs: number) => SinkPath;
  close(): void;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const paths = new Map<string, { delayMs: number; figures: SinkPath; seen: Set<string> }>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = paths.get(req.url ?? '');
      if (!entry) return void res.writeHead(404).end();
      const { figures, seen } = entry;
      const id = String(req.headers['webhook-id']);
      figures.requests += 1;
      if (!seen.has(id)) {
        seen.add(id);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { timestamp: string };
        figures.firstAttemptMs.push(Date.now() - Date.parse(body.timestamp));
      }
      setTimeout(() => {
        if (!figures.delivered.has(id)) {
          figures.delivered.add(id);
          const { data } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { room: string; text: string } };
          const index = Number(data.text.slice(1));
          if (index < (figures.lastIndex.get(data.room) ?? -1)) figures.outOfOrder += 1;
          else figures.lastIndex.set(data.room, index);
        }
        res.writeHead(204).end();
      }, entry.delayMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    path: (path, delayMs) => {
      const figures: SinkPath = { delivered: new Set(), requests: 0, firstAttemptMs: [], outOfOrder: 0, lastIndex: new Map() };
      paths.set(path, { delayMs, figures, seen: new Set() });
      return figures;
    },
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
