import type { WorkerSideChannel } from '../ipc/endpoints.js';
import type { RaisedEvent, WebhookEventType } from '../contracts/webhookEvents.js';
import type { UserView } from '../contracts/chatFrames.js';
import { recordingPlaylistUrl } from '../kit/roomUrls.js';

export interface WebhookRelayOptions {
  /** How long a leave waits for the same user to come back (WEBHOOK_PRESENCE_DEBOUNCE_MS). */
  readonly presenceDebounceMs: number;
  /** The host clients reach room ports by (PUBLIC_HOST), for recording links. */
  readonly publicHost: string;
}

/**
 * A worker's webhook events on their way to the primary: only the types some endpoint wants
 * (the primary says which; none until it does), batched into one `webhooks.events` note per
 * tick. Presence is debounced: a user who leaves and comes back within `presenceDebounceMs` is
 * neither a `user.left` nor a new `user.joined`.
 */
export class WebhookRelay {
  readonly #channel: Pick<WorkerSideChannel, 'notify'>;
  readonly #debounceMs: number;
  readonly #publicHost: string;
  #interest: ReadonlySet<WebhookEventType> = new Set();
  #batch: RaisedEvent[] = [];
  /** `room\nuser` -> the pending user.left. */
  readonly #leaving = new Map<string, { readonly timer: NodeJS.Timeout; readonly event: RaisedEvent }>();

  constructor(channel: Pick<WorkerSideChannel, 'notify'>, options: WebhookRelayOptions) {
    this.#channel = channel;
    this.#debounceMs = options.presenceDebounceMs;
    this.#publicHost = options.publicHost;
  }

  setInterest(types: readonly WebhookEventType[]): void {
    this.#interest = new Set(types);
  }

  recordingUrl(port: number, id: string): string {
    return recordingPlaylistUrl(this.#publicHost, port, id);
  }

  wants(type: WebhookEventType): boolean {
    return this.#interest.has(type);
  }

  raise(event: RaisedEvent): void {
    if (!this.#interest.has(event.type)) return;
    if (this.#batch.length === 0) setImmediate(() => this.#flush());
    this.#batch.push(event);
  }

  /** A user's first connection in the room (a return within the debounce cancels its leave instead). */
  joined(room: string, user: UserView): void {
    const key = `${room}\n${user.id}`;
    const leaving = this.#leaving.get(key);
    if (leaving) {
      clearTimeout(leaving.timer);
      this.#leaving.delete(key);
      return;
    }
    this.raise({ type: 'user.joined', room, at: Date.now(), data: { room, user: user.id, name: user.name, role: user.role } });
  }

  /** A user's last connection in the room closed. */
  left(room: string, user: Pick<UserView, 'id' | 'name'>): void {
    if (!this.#interest.has('user.left') && !this.#interest.has('user.joined')) return;
    const key = `${room}\n${user.id}`;
    clearTimeout(this.#leaving.get(key)?.timer);
    const event: RaisedEvent = { type: 'user.left', room, at: Date.now(), data: { room, user: user.id, name: user.name } };
    const timer = setTimeout(() => {
      this.#leaving.delete(key);
      this.raise(event);
    }, this.#debounceMs);
    timer.unref();
    this.#leaving.set(key, { timer, event });
  }

  /** The worker stops: leaves still waiting are sent now. */
  close(): void {
    for (const { timer, event } of this.#leaving.values()) {
      clearTimeout(timer);
      this.raise(event);
    }
    this.#leaving.clear();
    this.#flush();
  }

  #flush(): void {
    if (this.#batch.length === 0) return;
    const events = this.#batch;
    this.#batch = [];
    this.#channel.notify('webhooks.events', { events });
  }
}
