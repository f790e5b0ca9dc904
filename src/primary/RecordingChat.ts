import { BanIndex } from '../chat/BanIndex.js';
import { RevocationIndex } from '../chat/RevocationIndex.js';
import { verifyRoomToken } from '../chat/tokens.js';
import { DomainError } from '../contracts/domainErrors.js';
import type { RecordingRecord, RoomSettings } from '../contracts/records.js';
import type { Logger } from '../kit/createLogger.js';
import type { Store } from '../store/Store.js';
import type { DataCache } from './DataCache.js';

/** A message as a replay shows it: no room (the URL says it), never the sender's ref. */
export interface ReplayMessage {
  readonly id: string;
  readonly user: string;
  readonly name: string;
  readonly text: string;
  readonly ts: number;
}

export interface ReplayPage {
  readonly messages: ReplayMessage[];
  /** The `after` of the next page; null when this page is the last. */
  readonly next: string | null;
}

export interface ReplayQuery {
  /** The previous page's `next`. */
  readonly after?: string;
  readonly limit: number;
  /** A join token (Bearer), required where the room has no anonymous viewers. */
  readonly token?: string;
}

export interface RecordingChatOptions {
  readonly store: Pick<Store, 'listMessagesBetween'>;
  readonly recordings: { get(room: string, id: string): Promise<RecordingRecord> };
  readonly rooms: { get(name: string): { readonly settings: RoomSettings; readonly createdAt: number } | undefined };
  readonly cache: Pick<DataCache, 'snapshot' | 'version'>;
  readonly tokenKey: Uint8Array;
  readonly logger: Logger;
}

/**
 * The chat of a recording, for its replay: the room's messages sent between the recording's
 * start and its end (now, while it is being made), a page at a time. Reading them follows the
 * rule of reading the chat itself: where the room has no anonymous viewers, only the holder of a
 * valid join token for the room (not revoked, not banned there) may; a token sent to a room that
 * has anonymous viewers is checked all the same, as a join would check it.
 */
export class RecordingChat {
  readonly #options: RecordingChatOptions;
  /** The cache's bans and revocations indexed once per cache version, not per request. */
  #policy: { version: number; bans: BanIndex; revocations: RevocationIndex } | undefined;

  constructor(options: RecordingChatOptions) {
    this.#options = options;
  }

  async messages(room: string, id: string, query: ReplayQuery): Promise<ReplayPage> {
    const found = this.#options.rooms.get(room);
    if (!found) throw new DomainError('ROOM_NOT_FOUND');
    await this.#admit(room, found, query.token);
    const recording = await this.#options.recordings.get(room, id);
    const span = { from: recording.startedAt, to: recording.endedAt ?? Date.now(), after: query.after, limit: query.limit + 1 };
    let page;
    try {
      page = await this.#options.store.listMessagesBetween(room, span);
    } catch (error) {
      this.#options.logger.error({ err: error, room, id }, 'recording chat: store read failed');
      throw new DomainError('STORE_UNAVAILABLE', 'recording chat: the store did not answer', { cause: error });
    }
    const messages = page.slice(0, query.limit).map(({ id, user, name, text, ts }) => ({ id, user, name, text, ts }));
    return { messages, next: page.length > query.limit ? messages.at(-1)!.id : null };
  }

  async #admit(room: string, found: { readonly settings: RoomSettings; readonly createdAt: number }, token: string | undefined): Promise<void> {
    if (token === undefined) {
      if (found.settings.anonymous === false) throw new DomainError('VIEWER_TOKEN_REQUIRED');
      return;
    }
    const verified = await verifyRoomToken(this.#options.tokenKey, token, { room, epoch: found.createdAt });
    if (!verified.ok) throw new DomainError('VIEWER_TOKEN_REFUSED', verified.message);
    const { sub, iat, role } = verified.claims;
    const policy = this.#indexes();
    if (policy.revocations.revoked(sub, room, iat)) throw new DomainError('VIEWER_TOKEN_REFUSED', 'The token was revoked');
    if (policy.bans.find(sub, room, Date.now(), role === 'moderator')) throw new DomainError('VIEWER_BANNED');
  }

  #indexes(): { bans: BanIndex; revocations: RevocationIndex } {
    const { cache } = this.#options;
    if (this.#policy?.version !== cache.version) {
      const snapshot = cache.snapshot();
      const bans = new BanIndex();
      bans.replaceAll(snapshot.bans);
      const revocations = new RevocationIndex();
      revocations.replaceAll(snapshot.revocations);
      this.#policy = { version: cache.version, bans, revocations };
    }
    return this.#policy;
  }
}
