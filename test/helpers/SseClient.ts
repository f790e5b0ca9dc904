import http from 'node:http';

export interface SseEvent {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: string;
}

/**
 * A Server-Sent Events reader for tests (the event stream format of the WHATWG HTML standard:
 * `event`, `id`, `data` and `retry` fields, comments, a blank line ending each event).
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  readonly ended: Promise<void>;
  readonly #waiters = new Set<{ test: (event: SseEvent) => boolean; resolve: (event: SseEvent) => void }>();
  readonly #commentWaiters = new Set<{ text: string; resolve: () => void }>();

  private constructor(readonly response: http.IncomingMessage, readonly request: http.ClientRequest) {
    // A test that closes the stream cuts the request: that is not an error.
    request.on('error', () => undefined);
    let buffer = '';
    let fields: { event?: string; id?: string; data: string[] } = { data: [] };
    response.setEncoding('utf8');
    response.on('data', (text: string) => {
      buffer += text;
      let newline;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (fields.data.length > 0) this.#dispatch({ event: fields.event ?? 'message', id: fields.id, data: fields.data.join('\n') });
          fields = { data: [] };
        } else if (line.startsWith(':')) this.#comment(line.slice(1).trim());
        else {
          const colon = line.indexOf(':');
          const name = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, '');
          if (name === 'data') fields.data.push(value);
          else if (name === 'event') fields.event = value;
          else if (name === 'id') fields.id = value;
          else if (name === 'retry') this.retry = Number(value);
        }
      }
    });
    this.ended = new Promise((resolve) => {
      response.once('end', resolve);
      response.once('close', resolve);
    });
  }

  /** Connects; resolves with the client once the answer's head has come (any status: see `response.statusCode`). */
  static connect(port: number, path: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers } });
      request.once('response', (response) => resolve(new SseClient(response, request)));
      request.once('error', reject);
    });
  }

  /** The first event (already received or to come) that passes `test`. */
  next(test: (event: SseEvent) => boolean, timeoutMs = 15_000): Promise<SseEvent> {
    const known = this.events.find(test);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve: (event: SseEvent) => (clearTimeout(timer), resolve(event)) };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no such event within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Resolves once a comment line `: <text>` has come (already, or later). */
  nextComment(text: string, timeoutMs = 15_000): Promise<void> {
    if (this.comments.includes(text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { text, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.#commentWaiters.delete(waiter);
        reject(new Error(`no comment "${text}" within ${timeoutMs} ms; got ${JSON.stringify(this.comments)}`));
      }, timeoutMs);
      this.#commentWaiters.add(waiter);
    });
  }

  close(): void {
    this.request.destroy();
  }

  #comment(text: string): void {
    this.comments.push(text);
    for (const waiter of this.#commentWaiters) {
      if (waiter.text === text) {
        this.#commentWaiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  #dispatch(event: SseEvent): void {
    this.events.push(event);
    for (const waiter of this.#waiters) {
      if (waiter.test(event)) {
        this.#waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  }
}
