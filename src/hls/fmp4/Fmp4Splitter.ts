import { EventEmitter } from 'node:events';
import { readBoxHeader } from './boxes.js';
import { Fmp4Error } from './Fmp4Error.js';
import { parseFragment, type FragmentInfo } from './fragment.js';
import { parseInitSegment, type InitSegment } from './initSegment.js';

/**
 * A moof and its mdat, copied out of the splitter's buffer. Boxes between fragments (styp,
 * sidx, prft, free, ffmpeg's closing mfra) are dropped, not attached: the packager serves
 * fragments as parts that players concatenate under one EXT-X-MAP, where a styp is optional and
 * a sidx would index the wrong bytes.
 */
export interface Fragment extends FragmentInfo {
  readonly bytes: Buffer;
}

export interface Fmp4SplitterEvents {
  init: [InitSegment];
  fragment: [Fragment];
  error: [Fmp4Error];
}

export interface Fmp4SplitterOptions {
  /** The largest box the splitter buffers; a bigger one is an error as soon as its header arrives. */
  readonly maxBoxBytes?: number;
}

const DEFAULT_MAX_BOX_BYTES = 32 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);
const MIN_CAPACITY = 64 * 1024;
/** An idle splitter lets go of a buffer grown past this by one large fragment. */
const KEEP_CAPACITY = 4 * 1024 * 1024;

/**
 * Turns ffmpeg's fragmented MP4 byte stream (`-movflags +frag_keyframe+empty_moov+default_base_moof`
 * on a pipe) into one `init` (ftyp + moov) and then one `fragment` per moof + mdat, whatever the
 * chunk boundaries. The first bad box is one `error` and the splitter then ignores its input:
 * the stream cannot be resynchronised once a box size is untrusted. Listen to `error`, as with
 * any EventEmitter.
 */
export class Fmp4Splitter extends EventEmitter<Fmp4SplitterEvents> {
  readonly #maxBoxBytes: number;
  /** Unread bytes are #buffer[#start, #end): one growing buffer, amortised O(1) per byte appended. */
  #buffer = EMPTY;
  #start = 0;
  #end = 0;
  #ftyp: Buffer | undefined;
  #init: InitSegment | undefined;
  #moof: Buffer | undefined;
  #stopped = false;
  #discarded = 0;

  constructor(options: Fmp4SplitterOptions = {}) {
    super();
    this.#maxBoxBytes = options.maxBoxBytes ?? DEFAULT_MAX_BOX_BYTES;
  }

  push(chunk: Buffer): void {
    if (this.#stopped || chunk.length === 0) return;
    this.#append(chunk);
    try {
      this.#drain();
    } catch (error) {
      if (!(error instanceof Fmp4Error)) throw error;
      this.#stop();
      this.emit('error', error);
    }
  }

  /** The input ended: what was held (an incomplete box, a moof without its mdat) is discarded, never emitted. */
  end(): { discarded: number } {
    this.#stop();
    return { discarded: this.#discarded };
  }

  #drain(): void {
    while (!this.#stopped) {
      const unread = this.#buffer.subarray(0, this.#end);
      const header = readBoxHeader(unread, this.#start);
      if (!header) break;
      if (header.size > this.#maxBoxBytes) throw new Fmp4Error('TOO_LARGE', `Box ${header.type} claims ${header.size} bytes, more than the ${this.#maxBoxBytes} this stream may hold`);
      if (this.#end - this.#start < header.size) break;
      const box = unread.subarray(this.#start, this.#start + header.size);
      this.#start += header.size;
      this.#take(header.type, box);
    }
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
      if (this.#buffer.length > KEEP_CAPACITY) this.#buffer = EMPTY;
    }
  }

  /** `box` is a view of the buffer: anything kept or emitted is copied first. */
  #take(type: string, box: Buffer): void {
    if (!this.#ftyp) {
      if (type !== 'ftyp') throw new Fmp4Error('UNEXPECTED_BOX', `The stream starts with ${type}, not ftyp: not a fragmented MP4 from ffmpeg`);
      this.#ftyp = Buffer.from(box);
      return;
    }
    if (this.#moof && type !== 'mdat') throw new Fmp4Error('UNEXPECTED_BOX', `A moof is followed by ${type}, not its mdat`);
    switch (type) {
      case 'ftyp':
        throw new Fmp4Error('UNEXPECTED_BOX', 'A second ftyp: one ffmpeg run writes one init segment');
      case 'moov': {
        if (this.#init) throw new Fmp4Error('UNEXPECTED_BOX', 'A second moov: one ffmpeg run writes one init segment');
        this.#init = parseInitSegment(Buffer.concat([this.#ftyp, box]));
        this.emit('init', this.#init);
        return;
      }
      case 'moof':
        if (!this.#init) throw new Fmp4Error('UNEXPECTED_BOX', 'A moof before the moov: write the stream with -movflags +empty_moov');
        this.#moof = Buffer.from(box);
        return;
      case 'mdat': {
        if (!this.#moof || !this.#init) throw new Fmp4Error('UNEXPECTED_BOX', 'An mdat without a moof before it: not a fragmented MP4');
        const bytes = Buffer.concat([this.#moof, box]);
        this.#moof = undefined;
        this.emit('fragment', { ...parseFragment(bytes, this.#init), bytes });
        return;
      }
      default:
    }
  }

  #append(chunk: Buffer): void {
    if (this.#end + chunk.length > this.#buffer.length) {
      const live = this.#end - this.#start;
      const needed = live + chunk.length;
      // Sliding back only when at least half the buffer is already read keeps each byte moved O(1) times.
      if (this.#start >= this.#buffer.length / 2 && needed <= this.#buffer.length) {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2, MIN_CAPACITY));
        this.#buffer.copy(grown, 0, this.#start, this.#end);
        this.#buffer = grown;
      }
      this.#start = 0;
      this.#end = live;
    }
    chunk.copy(this.#buffer, this.#end);
    this.#end += chunk.length;
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#discarded = this.#end - this.#start + (this.#moof?.length ?? 0) + (this.#init ? 0 : (this.#ftyp?.length ?? 0));
    this.#buffer = EMPTY;
    this.#start = this.#end = 0;
    this.#moof = undefined;
  }
}
