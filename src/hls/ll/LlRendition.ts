import { EventEmitter } from 'node:events';
import type { LlPart, LlSegment, LlWindow } from './llTypes.js';
import { PART_HOLD_BACK_PARTS } from './llPlaylist.js';
import { fragmentSeconds, partTargetFor, targetDurationFor } from './partTarget.js';

/** What the packager needs of one fMP4 fragment (see fmp4/fragment.ts). */
export interface CutFragment {
  readonly bytes: Buffer;
  /** Seconds. */
  readonly duration: number;
  /** Starts with a keyframe (a segment may start here). */
  readonly independent: boolean;
  /** The frame time in seconds: the fragment's duration over its samples (of the track that timed it). */
  readonly frameSeconds: number;
}

export interface LlRenditionOptions {
  /** Unique per broadcast and rendition (letters and digits): every file name starts with it, so a name never means two files. */
  readonly prefix: string;
  readonly partSeconds: number;
  readonly segmentSeconds: number;
  /** Complete segments listed in the playlist. */
  readonly windowSegments: number;
  /** The first segment's media sequence number (default 0). */
  readonly firstMsn?: number;
  /**
   * The Discontinuity Sequence Number of the last segment of the broadcast this one continues (a
   * rolling restart's previous worker): the first segment follows an EXT-X-DISCONTINUITY and the
   * discontinuity numbering goes on from it. Absent: a new broadcast, numbered from 0.
   */
  readonly afterDiscontinuity?: number;
}

/** What the master playlist says of a rendition, from its init segment. */
export interface RenditionInfo {
  /** RFC 6381 codecs, comma-separated (the CODECS attribute). */
  readonly codecs: string;
  readonly width?: number;
  readonly height?: number;
}

/** A complete segment, for the recorder and the stream's bookkeeping. */
export interface CompletedSegment {
  readonly msn: number;
  readonly uri: string;
  readonly bytes: Buffer;
  readonly duration: number;
  readonly programDateTime: number;
  readonly discontinuity: boolean;
  readonly init: Buffer;
}

export interface LlRenditionEvents {
  /** A part was added or the playlist otherwise changed (held requests look again). */
  changed: [];
  segment: [CompletedSegment];
}

interface Stored {
  readonly segment: LlSegment;
  readonly bytes: Buffer;
  readonly partNames: readonly string[];
}

interface Pending {
  readonly msn: number;
  readonly map: string;
  readonly discontinuity: boolean;
  /** Media time of its first frame (s): its program date-time follows the anchor. */
  readonly start: number;
  readonly parts: LlPart[];
  readonly chunks: Buffer[];
  duration: number;
}

/** A frame time below this (1000 fps) is not a frame time: timestamps that collide or jump. */
const MIN_FRAME_SECONDS = 0.001;

/** Segments kept past the window, so a player that just read the playlist can still fetch them. */
const KEPT_PAST_WINDOW = 3;

/**
 * The live window of one rendition, in memory: fMP4 fragments from ffmpeg become parts (one
 * fragment each), parts become segments (a new one at the first keyframe once the segment is
 * long enough), and the state is what the playlist writer renders. Parts are numbered across
 * the whole broadcast, so the preload hint names the next part whichever segment it lands in.
 * A producer that comes back starts a new ffmpeg: a new init (EXT-X-MAP) after a discontinuity,
 * numbering going on. Files are served from here; none is ever changed under its name.
 */
export class LlRendition extends EventEmitter<LlRenditionEvents> {
  readonly #options: LlRenditionOptions;
  readonly #files = new Map<string, Buffer>();
  readonly #stored: Stored[] = [];
  #pending: Pending | null = null;
  #init: { readonly uri: string; readonly bytes: Buffer; readonly info: RenditionInfo } | null = null;
  /** The highest bit rate of a segment so far (the master playlist's BANDWIDTH). */
  #peakBitsPerSecond = 0;
  #inits = 0;
  #nextMsn = 0;
  readonly #firstMsn: number;
  #nextPart = 0;
  /** Discontinuities before the first stored segment (EXT-X-DISCONTINUITY-SEQUENCE). */
  #discontinuitiesGone = 0;
  #discontinuityNext = false;
  #partTarget: number | null = null;
  #maxSegmentSeconds = 0;
  /** Wall clock (ms) of media time `#anchorMedia` (s) of the current ffmpeg, for EXT-X-PROGRAM-DATE-TIME. */
  #anchorWall = 0;
  #anchorMedia = 0;
  /** Until the current ffmpeg's first segment closes, the anchor moves to the least-delayed fragment. */
  #anchorSettled = false;
  #mediaTime: number | null = null;
  #ended = false;
  /** The window as last built; every change drops it (held requests read it once per change, not once each). */
  #window: LlWindow | null = null;

  constructor(options: LlRenditionOptions) {
    super();
    if (!/^[A-Za-z0-9]+$/.test(options.prefix)) throw new RangeError('prefix must be alphanumeric');
    this.#options = options;
    this.#nextMsn = options.firstMsn ?? 0;
    this.#firstMsn = this.#nextMsn;
    this.#discontinuitiesGone = options.afterDiscontinuity ?? 0;
  }

  /** The media sequence number of the next segment. */
  get nextMsn(): number {
    return this.#nextMsn;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Whether the first segment is complete (the playlist is worth opening). */
  get ready(): boolean {
    return this.#stored.length > 0;
  }

  get info(): RenditionInfo | null {
    return this.#init?.info ?? null;
  }

  get peakBitsPerSecond(): number {
    return this.#peakBitsPerSecond;
  }

  /** The Discontinuity Sequence Number of the newest complete segment (what a continuing broadcast numbers on from). */
  get lastDiscontinuity(): number {
    return this.#stored.reduce((sequence, stored) => sequence + (stored.segment.discontinuity ? 1 : 0), this.#discontinuitiesGone);
  }

  /** The newest segment's media sequence number and its parts so far (for rendition reports). */
  get lastPosition(): { msn: number; part: number } | null {
    if (this.#pending && this.#pending.parts.length > 0) return { msn: this.#pending.msn, part: this.#pending.parts.length - 1 };
    const last = this.#stored.at(-1);
    return last ? { msn: last.segment.msn, part: last.segment.parts.length - 1 } : null;
  }

  /** A new ffmpeg begins with this init segment: the next segment follows a discontinuity, unless it is the first. */
  begin(init: Buffer, info: RenditionInfo): void {
    this.#closePending();
    this.#inits += 1;
    const uri = `${this.#options.prefix}-i${this.#inits}.mp4`;
    this.#init = { uri, bytes: init, info };
    this.#files.set(uri, init);
    this.#discontinuityNext = this.#nextMsn > this.#firstMsn || this.#options.afterDiscontinuity !== undefined;
    this.#mediaTime = null;
    this.#ended = false;
    this.#changed();
  }

  /** The next fragment of the current ffmpeg; `now` is when it arrived (its last frame was just made). */
  add(fragment: CutFragment, start: number, now: number): void {
    if (this.#init === null || this.#ended) return;
    // A fragment's last frame was made about when it arrived. ffmpeg holds back what it reads
    // while it analyses its input, then writes the first fragments in a burst: the first one's
    // arrival is late by that, so the anchor is the earliest-looking arrival until the first
    // segment of this ffmpeg closes (then dates stay put, as listed segments' must).
    if (this.#mediaTime === null) {
      this.#anchorMedia = start;
      this.#anchorWall = now - fragment.duration * 1000;
      this.#anchorSettled = false;
    } else if (!this.#anchorSettled) {
      this.#anchorWall = Math.min(this.#anchorWall, now - (start + fragment.duration - this.#anchorMedia) * 1000);
    }
    this.#mediaTime = start + fragment.duration;
    this.#partTarget ??= this.#firstPartTarget(fragment);
    const pending = this.#pending;
    if (pending && this.#endsBefore(pending, fragment)) this.#closePending();
    const current = this.#pending ?? this.#open(start);
    const uri = `${this.#options.prefix}-p${this.#nextPart}.m4s`;
    this.#nextPart += 1;
    current.parts.push({ uri, duration: fragment.duration, independent: fragment.independent });
    current.chunks.push(fragment.bytes);
    current.duration += fragment.duration;
    this.#files.set(uri, fragment.bytes);
    if (this.#isQuickFirst(current)) this.#closePending();
    this.#changed();
  }

  /** The current ffmpeg stopped: its last segment is complete with the parts it has. */
  finish(): void {
    this.#closePending();
    this.#changed();
  }

  /** The stream is over: ENDLIST, no preload hint; held requests are answered. */
  end(): void {
    this.#closePending();
    this.#ended = true;
    this.#changed();
  }

  /** A file of this rendition (init, part or segment) by name, if it is still kept. */
  file(name: string): Buffer | null {
    return this.#files.get(name) ?? null;
  }

  /** Whether `name` is the part the playlist hints at (a request for it is held until it exists). */
  isHinted(name: string): boolean {
    return !this.#ended && name === this.#hint();
  }

  window(): LlWindow | null {
    this.#window ??= this.#buildWindow();
    return this.#window;
  }

  #changed(): void {
    this.#window = null;
    this.emit('changed');
  }

  #buildWindow(): LlWindow | null {
    if (this.#partTarget === null || this.#init === null) return null;
    const listed = this.#stored.slice(-this.#options.windowSegments);
    const hidden = this.#stored.length - listed.length;
    let discontinuitySequence = this.#discontinuitiesGone;
    for (const stored of this.#stored.slice(0, hidden)) if (stored.segment.discontinuity) discontinuitySequence += 1;
    const pending = this.#pending;
    return {
      partTarget: this.#partTarget,
      // From complete segments only, and playlists are served from the first one on: a player
      // sees it change only if the producer's keyframes later come further apart.
      targetDuration: targetDurationFor([this.#maxSegmentSeconds], this.#options.segmentSeconds),
      segments: listed.map((stored) => stored.segment),
      discontinuitySequence,
      pending: this.#ended
        ? null
        : pending
        ? { msn: pending.msn, parts: [...pending.parts], map: pending.map, discontinuity: pending.discontinuity, programDateTime: this.#dateOf(pending.start) }
        : { msn: this.#nextMsn, parts: [], map: this.#init.uri, discontinuity: this.#discontinuityNext, programDateTime: null },
      preloadHint: this.#ended ? null : this.#hint(),
      ended: this.#ended,
    };
  }

  /**
   * Whether the pending segment ends before `fragment`: at a keyframe once it is long enough
   * (half a frame early is long enough); a segment that started between keyframes (the one after
   * the quick first, below) at the first keyframe, back in step.
   */
  #endsBefore(pending: Pending, fragment: CutFragment): boolean {
    if (!fragment.independent) return false;
    if (!pending.parts[0]!.independent) return true;
    return pending.duration >= this.#options.segmentSeconds - this.#frameSeconds(fragment) / 2;
  }

  /**
   * The broadcast's first segment ends as soon as it holds PART-HOLD-BACK's parts, the least a
   * player needs to start at its target latency: players (hls.js) start only on a complete
   * segment, and waiting for the producer's second keyframe would delay the first frame by up
   * to a keyframe interval (docs/ll-hls.md, "The first segment").
   */
  #isQuickFirst(pending: Pending): boolean {
    return pending.msn === this.#firstMsn && pending.parts.length >= PART_HOLD_BACK_PARTS;
  }

  /**
   * PART-TARGET, fixed by the first fragment: the frames ffmpeg puts in a part (it was asked for
   * fragmentSeconds), so every middle part lasts exactly this, and never less than that first
   * part (a stream whose timestamps make the frame time look odd still gets a target its parts fit).
   */
  #firstPartTarget(fragment: CutFragment): number {
    const configured = partTargetFor(fragmentSeconds(this.#options.partSeconds), this.#frameSeconds(fragment));
    return Math.max(configured, fragment.duration);
  }

  /** A usable frame time: a producer's timestamps may make it 0 or absurd; then the part itself stands for it. */
  #frameSeconds(fragment: CutFragment): number {
    const frame = fragment.frameSeconds;
    return Number.isFinite(frame) && frame >= MIN_FRAME_SECONDS && frame <= fragment.duration ? frame : Math.max(fragment.duration, MIN_FRAME_SECONDS);
  }

  /** The wall clock (ms) of media time `start` (s) of the current ffmpeg. */
  #dateOf(start: number): number {
    return Math.round(this.#anchorWall + (start - this.#anchorMedia) * 1000);
  }

  #hint(): string {
    return `${this.#options.prefix}-p${this.#nextPart}.m4s`;
  }

  #open(start: number): Pending {
    const init = this.#init!;
    const pending: Pending = {
      msn: this.#nextMsn,
      map: init.uri,
      discontinuity: this.#discontinuityNext,
      start,
      parts: [],
      chunks: [],
      duration: 0,
    };
    this.#nextMsn += 1;
    this.#discontinuityNext = false;
    this.#pending = pending;
    return pending;
  }

  #closePending(): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    if (pending.parts.length === 0) return;
    const bytes = Buffer.concat(pending.chunks);
    // The parts become views of the segment: one copy of the bytes in memory.
    let offset = 0;
    pending.parts.forEach((part, i) => {
      const length = pending.chunks[i]!.length;
      this.#files.set(part.uri, bytes.subarray(offset, offset + length));
      offset += length;
    });
    const uri = `${this.#options.prefix}-s${pending.msn}.m4s`;
    const programDateTime = this.#dateOf(pending.start);
    this.#anchorSettled = true;
    this.#files.set(uri, bytes);
    const segment: LlSegment = {
      msn: pending.msn,
      uri,
      duration: pending.duration,
      parts: pending.parts,
      programDateTime,
      discontinuity: pending.discontinuity,
      map: pending.map,
    };
    this.#stored.push({ segment, bytes, partNames: pending.parts.map((part) => part.uri) });
    this.#maxSegmentSeconds = Math.max(this.#maxSegmentSeconds, pending.duration);
    if (pending.duration > 0) this.#peakBitsPerSecond = Math.max(this.#peakBitsPerSecond, Math.round((bytes.length * 8) / pending.duration));
    this.#trim();
    this.emit('segment', { msn: pending.msn, uri, bytes, duration: pending.duration, programDateTime, discontinuity: pending.discontinuity, init: this.#init!.bytes });
  }

  #trim(): void {
    while (this.#stored.length > this.#options.windowSegments + KEPT_PAST_WINDOW) {
      const gone = this.#stored.shift()!;
      if (gone.segment.discontinuity) this.#discontinuitiesGone += 1;
      this.#files.delete(gone.segment.uri);
      for (const name of gone.partNames) this.#files.delete(name);
    }
    // An init no segment needs any more is dropped too.
    const maps = new Set(this.#stored.map((stored) => stored.segment.map));
    if (this.#init) maps.add(this.#init.uri);
    for (const name of this.#files.keys()) if (name.endsWith('.mp4') && !maps.has(name)) this.#files.delete(name);
  }
}
