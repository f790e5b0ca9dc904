import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../kit/createLogger.js';
import { copiesVideo, hasLadder, PLAYLIST_NAME, type TranscodePlan } from './ffmpegArgs.js';
import { hasFpsMode } from './ffmpegVersion.js';
import { IngestSession, type IngestSink } from './IngestSession.js';
import type { IngestProtocol, StreamIngest } from '../contracts/ingest.js';
import { ListedSegments } from './ListedSegments.js';
import type { MediaInfo } from './mediaSniffer.js';
import { PlaylistEnder } from './PlaylistEnder.js';
import { PlaylistFolderOutput } from './output/PlaylistFolderOutput.js';
import { FragmentPipeOutput } from './output/FragmentPipeOutput.js';
import { saveNextMsn } from './ll/carriedMsn.js';
import type { LlBroadcast } from './ll/LlBroadcast.js';
import { BroadcastSlot } from './ll/BroadcastSlot.js';
import { ProducerSlot, type HeldStream } from './ProducerSlot.js';
import { expireSessionAt } from './sessionExpiry.js';
import { awaitPreviousStream } from './awaitPreviousStream.js';
import { prepareStreamFolder, type PreparedFolder } from './streamFolder.js';
import { saveSuspended, type CarriedRecording, type ResumableStream } from './suspendedStream.js';
import type { FfmpegBinary } from './resolveFfmpeg.js';
import type { SegmentGuard } from './SegmentGuard.js';
import { Transcoder, type TranscoderExit } from './Transcoder.js';
import { watchKeyframes } from './watchKeyframes.js';

export type { LiveStreamEvents, LiveStreamOptions, MediaLimits, StreamCloseKind, StreamCounters, StreamPhase, StreamSettings, StreamStatus } from './streamTypes.js';
import type { Kept, LiveStreamEvents, LiveStreamOptions, StreamCloseKind, StreamSettings, StreamStatus } from './streamTypes.js';

type Held = HeldStream<Kept>;

export const HLS_PATH = `/hls/${PLAYLIST_NAME}`;

/**
 * The live stream of one room: at most one producer at a time, its ffmpeg, and the state the chat shows (offline -> starting ->
 * live -> ended). A producer whose connection drops (not one that ends its stream) is waited for `resumeMs`: the playlists stay
 * open and the chat live, and the same producer coming back, over any protocol, continues the same playlists after a discontinuity
 * (a rolling restart suspends a stream the same way, across workers). Otherwise, or once the wait is over, ENDLIST and `ended`.
 * Each ffmpeg gets a fresh id so a segment URL never names two files. Who may stream is the ProducerSlot's; this runs ffmpeg.
 */
export class LiveStream extends EventEmitter<LiveStreamEvents> {
  readonly #options: LiveStreamOptions;
  readonly #logger: Logger;
  readonly #slot: ProducerSlot<IngestSession, Kept>;
  #transcoder: Transcoder | null = null;
  /** The plan of the newest ffmpeg: which playlists to close when the stream ends. */
  #plan: TranscodePlan | null = null;
  #status: StreamStatus = { phase: 'offline', live: false, url: null, path: null, since: null };
  #lastLagMs: number | null = null;
  readonly #listed = new ListedSegments();
  readonly #broadcasts = new BroadcastSlot({ changed: () => this.emit('hlsChanged'), recordable: (segment) => this.emit('recordable', segment) });
  /** Watches the running stream's keyframes while its video is copied. */
  #guard: SegmentGuard | null = null;
  /** Ends the playlists (then `ended`): a new stream waits for the ends before it. */
  readonly #ender = new PlaylistEnder();
  #closed = false;
  /** A rolling restart closes the room: a live stream is suspended (see close), `#suspended` what the next worker needs. */
  #suspending = false;
  #suspended: (Kept & { readonly producer: string }) | null = null;

  constructor(options: LiveStreamOptions) {
    super();
    this.#options = options;
    this.#logger = options.logger.child({ component: 'stream' });
    this.#slot = new ProducerSlot({
      resumeMs: options.resumeMs,
      refuseMs: options.stopRefuseMs,
      onExpired: (held) => {
        this.#logger.info({ producer: held.producer }, 'producer did not come back: stream ends');
        this.#endStream();
      },
    });
  }

  get status(): StreamStatus {
    return this.#status;
  }

  get settings(): StreamSettings {
    return this.#options.settings;
  }

  /** The producer streaming, or the one the stream is held for. */
  get producer(): string | null {
    return this.#slot.producer;
  }

  /** The ingest now (or the one the stream is held for); null when nobody streams. */
  ingest(): StreamIngest | null {
    const session = this.#slot.holder;
    if (session && !session.done) return { ...session.meter.state(session.media, Date.now()), held: false, resumeUntil: null };
    const held = this.#slot.held;
    return held ? { ...held.kept.ingest, bitrateKbps: 0, held: true, resumeUntil: held.until } : null;
  }

  /** The room's Low-Latency HLS broadcast (live, or the last one, ended); null in classic mode or before any. */
  get broadcast(): LlBroadcast | null {
    return this.#broadcasts.current;
  }

  /** Live, but with no playlist to serve yet: a stream a rolling restart suspended, waiting in this worker for its producer's first segment. */
  get awaitsBroadcast(): boolean {
    return this.#status.live && this.#options.settings.mode === 'll' && !(this.#broadcasts.current?.ready ?? false);
  }

  /** Whether the segment `name` is complete and may be served (see ListedSegments). */
  isListed(name: string): boolean {
    return this.#listed.has(name);
  }

  /** The pipeline delay of the newest segment (see Transcoder's SegmentReady.lagMs). */
  get lastLagMs(): number | null {
    return this.#lastLagMs;
  }

  /** Whether `producer` may stream now: the slot is free, held for it, or held by its own stream that is finishing. */
  canClaim(producer: string): boolean {
    return this.#slot.canClaim(producer);
  }

  /**
   * Takes the producer slot, or throws StreamBusyError when another producer holds it (streams,
   * or is waited for) and StreamRefusedError for a producer whose stream was stopped lately. A
   * producer that reconnects while its previous stream is still finishing waits for that stream
   * to end (cut short after a few seconds) instead of getting 409, then resumes it. `expiresAt`
   * (the auth hook's) ends the session then.
   */
  async claim(producer: string, tokenIssuedAt: number, protocol: IngestProtocol, expiresAt?: number): Promise<IngestSession> {
    const previous = this.#slot.finishing(producer);
    if (previous) await awaitPreviousStream(previous, () => this.#transcoder?.kill('the producer reconnected'));
    if (this.#closed) throw new Error('the room is closing');
    const { holder: session, resumes: held } = this.#slot.take(
      producer,
      tokenIssuedAt,
      (resumes) => new IngestSession(producer, protocol, this.#sink(resumes), this.#options.ingestLimits),
    );
    const release = () => {
      if (!this.#slot.leave(session)) return;
      // A producer that came back but never got an ffmpeg running: the stream it held ends now.
      if (held && this.#transcoder === null && this.#slot.held === null) this.#endStream();
    };
    session.once('failed', (failure) => {
      this.#logger.warn({ producer, protocol, code: failure.code, reason: failure.message }, 'ingest failed');
      // A stopping room or a stop finishes ffmpeg cleanly (its last segment kept); any other failure means the input is bad.
      if (failure.code === 'STREAM_STOPPED' || failure.code === 'STREAM_STOPPED_BY_MODERATOR' || failure.code === 'SESSION_EXPIRED') this.#transcoder?.end();
      else this.#transcoder?.kill(failure.message);
      release();
    });
    session.once('finished', (summary) => {
      this.#logger.info({ producer, protocol, dropped: session.dropped, ...summary }, 'ingest finished');
      release();
    });
    session.once('abandoned', () => {
      this.#logger.info({ producer, protocol }, 'producer left before its stream started');
      if (!this.#slot.leave(session)) return;
      // Nothing started: a stream held for this producer is held again, for what is left of its wait.
      if (held && this.#transcoder === null && this.#slot.held === null && (this.#closed || !this.#slot.holdAgain(held))) this.#endStream();
    });
    if (expiresAt !== undefined) expireSessionAt(session, expiresAt);
    this.#logger.info({ producer, protocol, resumes: held !== null }, held ? 'producer came back: resuming' : 'producer connected');
    return session;
  }

  /**
   * Stops the stream now (a moderator or the admin API): the producer is disconnected with
   * `message`, the stream ends at once (no resume wait) and the producer is refused for a while.
   * Returns the producer stopped, or null when nothing was streaming.
   */
  stop(message: string): string | null {
    const stopped = this.#slot.stop(message);
    if (stopped === null) return null;
    if ('live' in stopped) {
      stopped.live.fail({ code: 'STREAM_STOPPED_BY_MODERATOR', message });
      return stopped.live.producer;
    }
    this.#endStream();
    return stopped.held.producer;
  }

  /**
   * Stops the live producer when its token is revoked (`revoked` answers for the producer's id
   * and its token's `iat`): the operator's revocation ends a broadcast, not only new ones.
   */
  stopIfRevoked(revoked: (producer: string, tokenIssuedAt: number) => boolean): void {
    this.#slot.revokedHolder(revoked)?.fail({ code: 'TOKEN_INVALID', message: 'The producer token was revoked: the stream is stopped' });
  }

  /**
   * Stops any stream and, for a deleted room, removes its files. A live stream ends (ENDLIST,
   * `ended`), except at a rolling restart: then it is suspended, its playlists left open and a
   * note left in the folder for the next worker, which holds it for its producer (resumeSuspended)
   * and goes on with its `recording`.
   */
  async close(reason: string, kind: StreamCloseKind, recording: CarriedRecording | null = null): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const removeFiles = kind === 'deleted';
    this.#suspending = kind === 'restarting' && this.#slot.resumes && this.#status.phase === 'live';
    const transcoder = this.#transcoder;
    const exited = transcoder && transcoder.state !== 'ended' && transcoder.state !== 'died' ? new Promise((resolve) => transcoder.once('exit', resolve)) : null;
    transcoder?.end();
    this.#slot.holder?.fail({ code: 'STREAM_STOPPED', message: reason, goingAway: !removeFiles });
    await exited;
    const held = this.#slot.release();
    if (held && this.#suspending) this.#suspended ??= { producer: held.producer, ...held.kept };
    else if (held) this.#endStream();
    await this.#ender.pending;
    const broadcast = this.#broadcasts.current;
    if (!removeFiles && broadcast) await saveNextMsn(this.#options.dir, broadcast.nextMsn);
    const suspended = this.#suspended;
    const saved = suspended !== null && (await saveSuspended(this.#options.dir, { ...suspended, since: this.#status.since ?? Date.now(), discontinuity: broadcast?.lastDiscontinuity ?? 0, recording, savedAt: Date.now() }));
    if (suspended) this.#logger.info({ producer: suspended.producer, saved }, 'rolling restart: stream suspended for the next worker');
    // A note not kept (the disk) would leave the stream neither ended nor resumable: it ends here, as at a shutdown.
    if (suspended && !saved) this.#endStream();
    await this.#ender.pending;
    if (removeFiles) {
      await rm(this.#options.dir, { recursive: true, force: true });
      this.#broadcasts.clear();
      this.#listed.clear();
      this.emit('files', null);
    }
  }

  /**
   * Takes over a stream the previous worker suspended at a rolling restart: live at once (no second `broadcastStarted`), held for
   * its producer for the resume wait (its return continues after a discontinuity); with nothing to hold it for (a note left too
   * long, no resume wait here), ended at once, like every other end.
   */
  resumeSuspended(note: ResumableStream): void {
    if (this.#closed || this.#status.phase !== 'offline') return;
    this.#plan = note.plan;
    for (const uri of note.segments) this.#listed.add(uri);
    this.#setStatus({ phase: 'live', live: true, url: this.#options.url, path: HLS_PATH, since: note.since });
    this.emit('broadcastCarried', note.since);
    const held = !note.expired && this.#slot.resumes;
    this.#logger.info({ producer: note.producer, held }, `stream suspended by a rolling restart: ${held ? 'held for its producer' : 'ended'}`);
    if (!held) return this.#endStream();
    if (note.plan.mode === 'll') this.#broadcasts.continueFrom(note.discontinuity);
    this.#slot.hold(note.producer, { plan: note.plan, ingest: note.ingest });
  }

  #sink(held: Held | null): IngestSink {
    return {
      start: (session, media) => void this.#start(session, media, held),
      write: (chunk) => {
        this.#options.counters.ingestBytes += chunk.length;
        const verdict = this.#guard?.bytes(chunk.length) ?? null;
        if (verdict !== null) {
          this.#slot.holder?.fail({ code: 'KEYFRAMES_TOO_SPARSE', message: verdict });
          return true;
        }
        return this.#transcoder?.write(chunk) ?? true;
      },
      end: () => this.#transcoder?.end(),
    };
  }

  async #start(session: IngestSession, media: MediaInfo, held: Held | null): Promise<void> {
    const { settings, dir, limits, encoders } = this.#options;
    // Checked before anything else: a refused producer leaves the previous stream's files alone.
    const encodes = media.video !== null && !copiesVideo({ media, ladder: settings.ladder });
    const releaseEncoder = encodes ? encoders.acquire() : () => undefined;
    if (releaseEncoder === null) {
      session.fail({
        code: 'ENCODER_BUSY',
        message: `This server is encoding as many streams as it may (${encoders.limit}) and ${media.video} video must be encoded: send H.264 (copied, no encode) or try again later`,
      });
      return;
    }
    // A resumed stream continues its playlists when they have the same shape (a master over renditions, or not).
    const append = held !== null && held.kept.plan.mode === settings.mode && hasLadder(held.kept.plan) === hasLadder({ media, ladder: settings.ladder });
    const ll = settings.mode === 'll';
    let binary: FfmpegBinary;
    let prepared: PreparedFolder;
    try {
      binary = await this.#options.ffmpeg();
      await this.#ender.pending;
      prepared = await prepareStreamFolder(dir, ll, append ? held.kept.plan : null);
      if (prepared.cleared) {
        this.#listed.clear();
        this.emit('files', null);
      }
    } catch (error) {
      releaseEncoder();
      const unavailable = error instanceof Error && error.name === 'FfmpegNotFoundError';
      session.fail({ code: unavailable ? 'FFMPEG_UNAVAILABLE' : 'MEDIA_INVALID', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (session.done || this.#closed) {
      releaseEncoder();
      return;
    }
    const plan: TranscodePlan = {
      media,
      outputDir: dir,
      streamId: Date.now().toString(36),
      ...settings,
      encodeLimits: limits.encode,
      fpsModeOption: hasFpsMode(binary.version) ? '-fps_mode' : '-vsync',
      append,
    };
    let transcoder: Transcoder;
    try {
      transcoder = new Transcoder({
        binary: binary.path,
        plan,
        logger: this.#logger,
        firstSegmentTimeoutMs: this.#options.firstSegmentTimeoutMs ?? 20_000,
        finishTimeoutMs: this.#options.finishTimeoutMs ?? 10_000,
        output: ll ? new FragmentPipeOutput(this.#broadcasts.for(plan, append, prepared.carriedMsn), this.#logger) : new PlaylistFolderOutput(plan, this.#logger, prepared.knownSequences),
      });
    } catch (error) {
      // The plan was refused (buildFfmpegArgs): never leave the slot taken or the producer waiting.
      releaseEncoder();
      this.#logger.error({ err: error }, 'ffmpeg could not be started');
      session.fail({ code: 'MEDIA_INVALID', message: `The stream cannot be transcoded: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    this.#transcoder = transcoder;
    this.#plan = plan;
    this.#options.counters.streamsStarted += 1;
    this.#logger.info({ media, copy: copiesVideo(plan), append, encoders: encoders.used, ffmpeg: binary.source }, 'stream starting');
    // A resumed stream stays live for its viewers while the new ffmpeg starts.
    if (this.#status.phase !== 'live') this.#setStatus({ phase: 'starting', live: false, url: null, path: null, since: null });
    transcoder.on('drain', () => session.emit('drain'));
    transcoder.on('file', (name) => this.emit('files', name));
    transcoder.on('listed', (name) => this.#listed.add(name));
    transcoder.on('segment', (segment) => {
      this.#lastLagMs = segment.lagMs;
      if (!ll) this.emit('segmentFile', path.join(dir, segment.uri));
    });
    transcoder.once('live', () => {
      if (this.#status.phase !== 'live') {
        const since = Date.now();
        this.#setStatus({ phase: 'live', live: true, url: this.#options.url, path: HLS_PATH, since });
        this.emit('broadcastStarted', since);
      }
      session.emit('live');
    });
    if (copiesVideo(plan)) {
      session.meter.copiedInto(plan.segmentSeconds);
      transcoder.on('segment', (segment) => session.segment(segment.duration));
      const guard = watchKeyframes(transcoder, session, limits, plan.segmentSeconds);
      this.#guard = guard;
      transcoder.once('exit', () => {
        if (this.#guard === guard) this.#guard = null;
      });
    }
    transcoder.once('exit', (exit) => {
      releaseEncoder();
      this.#exited(transcoder, session, exit);
    });
    session.flowing();
  }

  #exited(transcoder: Transcoder, session: IngestSession, exit: TranscoderExit): void {
    if (this.#transcoder === transcoder) this.#transcoder = null;
    if (!exit.clean) this.#options.counters.ffmpegFailures += 1;
    const wasLive = this.#status.phase === 'live';
    // Held before the session settles: a producer waiting in claim() for this end finds it held.
    if (exit.clean && session.dropped && !session.done && wasLive && !this.#closed && this.#slot.resumes) this.#hold(session, transcoder.plan);
    else if (this.#suspending && wasLive) this.#suspended = { producer: session.producer, plan: transcoder.plan, ingest: session.meter.state(session.media, Date.now()) };
    else this.#endStream();
    if (exit.clean) session.finish({ segments: exit.segments, seconds: (Date.now() - session.startedAt) / 1000 });
    else {
      // Before the first segment it is the input ffmpeg could not read; after it, ffmpeg failed mid-stream.
      const what = wasLive ? 'ffmpeg stopped during the stream' : 'ffmpeg could not turn the stream into HLS';
      session.fail({ code: 'MEDIA_INVALID', message: `${what}: ${exit.error ?? 'unknown error'}` });
    }
    this.emit('exit', exit);
  }

  /** The producer dropped: the playlists stay open and the chat live while it may come back. */
  #hold(session: IngestSession, plan: TranscodePlan): void {
    this.#slot.hold(session.producer, { plan, ingest: session.meter.state(session.media, Date.now()) });
    this.#logger.info({ producer: session.producer, resumeMs: this.#options.resumeMs }, 'producer dropped: stream held for it');
  }

  /** The stream is over: its playlists get ENDLIST (players stop waiting), then the chat hears `ended`. */
  #endStream(): void {
    // Not while a newer ffmpeg writes into it (an old one that exits late after a resume).
    if (this.#transcoder === null) this.#broadcasts.current?.end();
    this.#ender.end(
      this.#plan?.mode === 'classic' ? this.#plan : null,
      (name) => this.emit('files', name),
      () => {
        // A stream that started meanwhile owns the status now.
        if (this.#transcoder !== null || this.#slot.held !== null || this.#status.phase === 'offline' || this.#status.phase === 'ended') return;
        const wasLive = this.#status.phase === 'live';
        this.#setStatus({ phase: wasLive ? 'ended' : 'offline', live: false, url: null, path: null, since: null });
        if (wasLive) this.emit('broadcastEnded', Date.now());
      },
    );
  }

  #setStatus(status: StreamStatus): void {
    this.#status = status;
    this.emit('status', status);
  }
}
