/**
 * The store's documents that cross the primary <-> worker IPC channel (settings, bans,
 * revocations, chat messages). Times are epoch milliseconds. Rooms and history queries stay
 * with the Store interface (src/store/Store.ts): only the primary sees them.
 */

/** Per-room options; later features add their own keys. Values stay JSON-simple. */
export type RoomSettings = Readonly<Record<string, string | number | boolean | readonly string[]>>;

export interface ChatMessageRecord {
  readonly room: string;
  /** Server-assigned, unique, and sortable by time (see chat message ids). */
  readonly id: string;
  readonly user: string;
  readonly name: string;
  readonly text: string;
  readonly ts: number;
  /**
   * The sender's `ref` for this message (JSON of the client's value), kept so that a resend with
   * the same ref gets the first acknowledgement again instead of a second copy. Never sent out.
   */
  readonly ref?: string;
}

export interface BanRecord {
  readonly id: string;
  readonly user: string;
  /** null: banned from every room. */
  readonly room: string | null;
  readonly reason: string;
  readonly createdAt: number;
  /** null: until lifted. */
  readonly expiresAt: number | null;
  /** The chat moderator who set it; absent for bans from the admin API. */
  readonly by?: string;
}

/**
 * A user's join tokens revoked (admin API): every token of `user` (for `room`, or any room when
 * null) issued at or before `revokedAt` is refused. Kept for the longest token lifetime only.
 */
export interface RevocationRecord {
  readonly user: string;
  readonly room: string | null;
  readonly revokedAt: number;
}

export type BannedWordsAction = 'mask' | 'refuse';

/** Server-wide settings an operator changes at run time (admin API). */
export interface GlobalSettings {
  readonly bannedWords: readonly string[];
  readonly bannedWordsAction: BannedWordsAction;
  /** Overrides CHAT_RATE / CHAT_BURST when set. */
  readonly chatRate: number | null;
  readonly chatBurst: number | null;
  readonly historySize: number;
  readonly welcomeText: string;
  /** Stored messages older than this many days are pruned (a room's own setting wins); null: kept. */
  readonly historyRetentionDays: number | null;
  /** Only the newest this many messages of each room are kept (a room's own setting wins); null: all. */
  readonly historyMaxMessages: number | null;
}

export const DEFAULT_SETTINGS: GlobalSettings = Object.freeze({
  bannedWords: Object.freeze([]) as readonly string[],
  bannedWordsAction: 'mask',
  chatRate: null,
  chatBurst: null,
  historySize: 50,
  welcomeText: '',
  historyRetentionDays: null,
  historyMaxMessages: null,
});

/** A recording of one broadcast (times are epoch milliseconds). Its files are RECORDINGS_DIR/<room>/<id>/. */
export interface RecordingRecord {
  readonly room: string;
  /** Sortable by start time (see hls/recording/recordingIds). */
  readonly id: string;
  readonly startedAt: number;
  /** Null while it is being recorded. */
  readonly endedAt: number | null;
  /** Seconds of media listed in its playlist. */
  readonly duration: number;
  /** Bytes of its init and media segments. */
  readonly bytes: number;
}
