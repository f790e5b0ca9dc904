import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../kit/errors.js';
import { sendJson } from '../kit/sendJson.js';
import type { Logger } from '../kit/createLogger.js';

/** What an ingest calls when it takes its request over and watches the body's rate instead. */
export interface RequestDeadline {
  release(): void;
}

const NO_DEADLINE: RequestDeadline = { release: () => undefined };

/**
 * The whole-request timeout of a room port. Node's `requestTimeout` cannot serve there: it would
 * also cut an ingest body, which lasts as long as the broadcast. So a request with a body must have
 * all of it within `timeoutMs`, unless an ingest releases the deadline once it streams (it then
 * watches the rate). A late body gets 408 and its connection is closed; headers have their own
 * timeout (the server's `headersTimeout`).
 */
export function startRequestDeadline(req: IncomingMessage, res: ServerResponse, timeoutMs: number, logger: Logger, addressOf: () => string): RequestDeadline {
  if (!hasBody(req)) return NO_DEADLINE;
  const timer = setTimeout(() => expire(req, res, timeoutMs, logger, addressOf()), timeoutMs);
  const release = () => clearTimeout(timer);
  // 'end' once the whole body is read (or discarded after an early answer); 'close' if the client went.
  req.once('end', release);
  req.once('close', release);
  return { release };
}

/** HTTP/1.1 framing: a body comes with Transfer-Encoding or a non-zero Content-Length. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function expire(req: IncomingMessage, res: ServerResponse, timeoutMs: number, logger: Logger, address: string): void {
  const path = (req.url ?? '/').split('?', 1)[0];
  logger.warn({ address, method: req.method, path, timeoutMs }, 'request body too slow: connection cut');
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  // Node closes the connection once this answer is out.
  res.setHeader('connection', 'close');
  sendJson(res, 408, errorBody('REQUEST_TIMEOUT', `The request body did not arrive within ${timeoutMs / 1000} s`));
}
