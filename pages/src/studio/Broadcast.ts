/**
 * One broadcast from the studio: publishes the chosen camera/screen and microphone over WHIP
 * (or the WebSocket upload where WebRTC fails, or as `via` forces), and publishes again by
 * itself when the connection is lost for a reason that may pass: a rolling restart (the room
 * closes with 1001 and is back in well under a second), a network blip, a busy slot that frees.
 * It stops trying for refusals that will not change: a wrong token, a ban, a stop by a
 * moderator or operator, a deleted room; and after minutes of failing (backoff.ts).
 */
import type { IngestWarning } from '../../../src/contracts/ingest.ts';
import { GIVE_UP_MS, ReconnectSchedule } from '../lib/backoff.ts';
import { checkIngest, loadStudioRoom, type StudioRoom } from './studioApi.ts';
import { PublishRefused, refusalIsFinal } from './publishErrors.ts';
import { publishSocket, type SocketSession } from './socketIngest.ts';
import { roomUrl } from '../lib/room.ts';
import { publishWhip, whipSupported, type WhipSession } from './whip.ts';

export type Phase = 'idle' | 'connecting' | 'starting' | 'live' | 'reconnecting' | 'stopping' | 'ended' | 'error';
export type IngestPath = 'whip' | 'websocket' | '';
export type Via = 'whip' | 'websocket' | null;

export interface BroadcastState {
  readonly phase: Phase;
  readonly path: IngestPath;
  /** Why the stream stopped or what is being retried, in plain language; '' when all is well. */
  readonly message: string;
  /** When the broadcast first went live (kept across reconnects), for the elapsed time. */
  readonly liveSince: number | null;
  /** The reconnect attempt under way (0 when none). */
  readonly attempt: number;
  readonly warnings: readonly IngestWarning[];
}

export const IDLE: BroadcastState = { phase: 'idle', path: '', message: '', liveSince: null, attempt: 0, warnings: [] };

export interface BroadcastOptions {
  readonly room: string;
  readonly token: string;
  readonly via: Via;
  readonly onChange: (state: BroadcastState) => void;
}

export class Broadcast {
  readonly #options: BroadcastOptions;
  #state: BroadcastState = IDLE;
  #stream: MediaStream | null = null;
  #whip: WhipSession | null = null;
  #socket: SocketSession | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every start and stop: an attempt (or a stop) that finds it changed gives up quietly. */
  #generation = 0;
  readonly #reconnects = new ReconnectSchedule();
  /** Sessions being ended (WHIP DELETE, the upload's last chunk): the room's one producer slot is free once this settles. */
  #ending: Promise<void> = Promise.resolve();

  constructor(options: BroadcastOptions) {
    this.#options = options;
  }

  get state(): BroadcastState {
    return this.#state;
  }

  /** The peer connection while WHIP carries the stream (for its statistics). */
  get peerConnection(): RTCPeerConnection | null {
    return this.#whip?.pc ?? null;
  }

  async start(stream: MediaStream): Promise<void> {
    this.#stream = stream;
    const generation = ++this.#generation;
    clearTimeout(this.#retryTimer);
    this.#reconnects.reset();
    this.#set({ ...IDLE, phase: 'connecting' });
    // A session still held, or a Stop still ending one, holds the room's slot: this publish would be refused as a second producer.
    await this.#endSessions();
    if (generation !== this.#generation) return;
    await this.#attempt(generation);
  }

  /** Whether the source can change while on air: WebRTC swaps a sender's track; a MediaRecorder cannot. */
  get canSwitchSource(): boolean {
    return this.#state.path === 'whip' && this.#state.phase === 'live';
  }

  /**
   * A new source while live over WHIP: each sender's track is replaced (no renegotiation, the
   * stream goes on; a kind the session was started without stays absent). Reconnects use it too.
   */
  async switchTo(stream: MediaStream): Promise<void> {
    this.#stream = stream;
    for (const transceiver of this.#whip?.pc.getTransceivers() ?? []) {
      const kind = transceiver.receiver.track.kind;
      const track = kind === 'video' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
      await transceiver.sender.replaceTrack(track ?? null);
    }
  }

  async stop(): Promise<void> {
    const generation = ++this.#generation;
    clearTimeout(this.#retryTimer);
    this.#set({ phase: 'stopping', message: '' });
    await this.#endSessions();
    // A Go live while the session ended owns the state now: "ended" would hide its Stop button.
    if (generation === this.#generation) this.#set({ ...IDLE, phase: 'ended' });
  }

  /** Ends the sessions held; settles once every session ended so far (also by an earlier stop) is gone at the server. */
  #endSessions(): Promise<void> {
    const ending = Promise.all([this.#whip?.stop(), this.#socket?.stop()]);
    this.#whip = null;
    this.#socket = null;
    return this.#retire(ending);
  }

  /** Adds a session's end to those a Go live waits for. */
  #retire(ending: Promise<unknown>): Promise<void> {
    this.#ending = Promise.all([this.#ending, ending]).then(() => undefined);
    return this.#ending;
  }

  /** The room's live flag (room /health): the stream viewers can watch has begun. */
  sawLive(live: boolean): void {
    if (!live || this.#state.phase !== 'starting') return;
    this.#reconnects.live(Date.now());
    this.#set({ phase: 'live', message: '', attempt: 0, liveSince: this.#state.liveSince ?? Date.now() });
  }

  sawWarnings(warnings: readonly IngestWarning[]): void {
    if (this.#state.phase === 'live' || this.#state.phase === 'starting') this.#set({ warnings });
  }

  async #attempt(generation: number): Promise<void> {
    const { room, token, via } = this.#options;
    try {
      const info: StudioRoom = await loadStudioRoom(room);
      const ingest = await checkIngest(info.port, token);
      if (generation !== this.#generation) return;
      // On a reconnect the server may not have seen the old connection drop yet (busy for a few
      // seconds, which the publish's 409 retries), or may refuse it (stopped: the publish says so).
      if (!ingest.ready && this.#state.attempt === 0) throw new PublishRefused('You are streaming to this room already (from another page or device)', 409, 'STREAM_BUSY', true);
      const { path, note } = await this.#publish(info, ingest.settings.segmentSeconds, generation, via);
      if (generation !== this.#generation) return;
      this.#set({ phase: 'starting', path, message: note });
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#lost(error instanceof Error ? error.message : String(error), !refusalIsFinal(error), generation);
    }
  }

  /** Publishes over WHIP or the WebSocket; `note` says why WHIP was left for the WebSocket, if it was. */
  async #publish(info: StudioRoom, segmentSeconds: number, generation: number, via: Via): Promise<{ path: IngestPath; note: string }> {
    const stream = this.#stream!;
    const { token } = this.#options;
    let note = '';
    if (via === 'whip' && !whipSupported()) throw new PublishRefused('This browser has no WebRTC: open the page without via=whip to stream over the WebSocket', 400, undefined);
    if (via !== 'websocket' && whipSupported()) {
      try {
        const session = await publishWhip(roomUrl(info.port, '/whip'), token, stream, (reason) => this.#onSessionLost(generation, reason, true));
        // Stopped meanwhile: this session is not the broadcast's.
        if (generation !== this.#generation) await this.#retire(session.stop());
        else this.#whip = session;
        return { path: 'whip', note: '' };
      } catch (error) {
        if (error instanceof PublishRefused || via === 'whip') throw error;
        note = `WebRTC did not work here (${(error as Error).message}): streaming over the WebSocket instead`;
      }
    }
    const socket = await publishSocket(roomUrl(info.port, `/ingest?token=${encodeURIComponent(token)}`, 'ws'), stream, segmentSeconds, {
      live: () => generation === this.#generation && this.sawLive(true),
      warnings: (warnings) => generation === this.#generation && this.sawWarnings(warnings),
      problem: (message) => generation === this.#generation && this.#set({ message }),
      slowUpload: () => this.#set({ message: 'Your upload is too slow for this video quality' }),
      lost: (reason, retry) => this.#onSessionLost(generation, reason, retry),
    });
    if (generation !== this.#generation) void this.#retire(socket.stop());
    else this.#socket = socket;
    return { path: 'websocket', note };
  }

  #onSessionLost(generation: number, reason: string, retry: boolean): void {
    if (generation !== this.#generation) return;
    this.#whip = null;
    this.#socket = null;
    this.#lost(reason, retry, generation);
  }

  /** A lost or failed publish: another attempt after a backoff, or the end with the reason. */
  #lost(reason: string, retry: boolean, generation: number): void {
    if (!retry) {
      ++this.#generation;
      this.#set({ ...IDLE, phase: 'error', message: `The stream stopped: ${reason}` });
      return;
    }
    const next = this.#reconnects.next(Date.now());
    if (!next) return this.#lost(`could not reconnect for ${GIVE_UP_MS / 60_000} minutes (${reason})`, false, generation);
    this.#set({ phase: 'reconnecting', path: '', attempt: next.attempt, message: `Connection lost (${reason}); trying again in ${(next.delayMs / 1000).toFixed(1)} s` });
    this.#retryTimer = setTimeout(() => void this.#attempt(generation), next.delayMs);
  }

  #set(change: Partial<BroadcastState>): void {
    this.#state = { ...this.#state, ...change };
    this.#options.onChange(this.#state);
  }
}
