/**
 * The webhook sender thread (started by SenderThread): the HTTP of every delivery attempt, off the
 * primary's event loop, which every chat commit waits on. One WebhookSender (keep-alive pool) per
 * endpoint; outcomes go back in one message per tick.
 */
import { parentPort } from 'node:worker_threads';
import { lowerThisThreadsPriority } from './threadPriority.js';
import { WebhookSender } from './WebhookSender.js';
import type { SenderThreadAnswer, SenderThreadRequest } from './senderThreadWire.js';

const port = parentPort!;
lowerThisThreadsPriority();
const senders = new Map<string, WebhookSender>();
let answers: SenderThreadAnswer[] = [];

function answer(result: SenderThreadAnswer): void {
  if (answers.length === 0) setImmediate(flush);
  answers.push(result);
}

function flush(): void {
  const batch = answers;
  answers = [];
  port.postMessage(batch);
}

function senderOf(request: Extract<SenderThreadRequest, { kind: 'send' }>): WebhookSender {
  let sender = senders.get(request.endpoint);
  if (!sender) {
    sender = new WebhookSender(request.concurrency, request.timeoutMs);
    senders.set(request.endpoint, sender);
  }
  return sender;
}

port.on('message', (batch: readonly SenderThreadRequest[]) => {
  for (const request of batch) {
    if (request.kind === 'close') {
      senders.get(request.endpoint)?.close();
      senders.delete(request.endpoint);
      continue;
    }
    const target = { url: new URL(request.url), address: request.address, family: request.family };
    void senderOf(request)
      .send(target, request.headers, request.body)
      .then((result) => answer({ id: request.id, ...result }));
  }
});
