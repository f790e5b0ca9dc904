/** What kind of trouble a fragmented MP4 byte stream is in; one code per kind of failure. */
export type Fmp4ErrorCode =
  /** A box whose fields do not fit its size, or whose size does not fit its parent. */
  | 'MALFORMED'
  /** A box larger than the splitter may buffer (or than a JavaScript number holds exactly). */
  | 'TOO_LARGE'
  /** Well-formed, but not what a fragmented MP4 for HLS carries (no usable track, no mvex...). */
  | 'UNSUPPORTED'
  /** A box where the stream's order does not allow it (moof before moov, a second moov...). */
  | 'UNEXPECTED_BOX';

/**
 * The only error the fmp4 readers throw (and the splitter emits): ffmpeg's output is input like
 * any other, and a bad byte must end that stream with a message naming the box, never with a
 * RangeError from deep inside a Buffer read.
 */
export class Fmp4Error extends Error {
  readonly code: Fmp4ErrorCode;

  constructor(code: Fmp4ErrorCode, message: string) {
    super(message);
    this.name = 'Fmp4Error';
    this.code = code;
  }
}
