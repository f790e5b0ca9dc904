/**
 * What a live stream hands its recorder: each complete fMP4 segment of the source rendition as
 * it is cut (Low-Latency HLS mode), in order. The recorder writes the same bytes to disk: a
 * recording costs no second encode.
 */
export interface RecordableSegment {
  /** The media segment (one or more moof+mdat fragments). */
  readonly bytes: Buffer;
  /** Seconds. */
  readonly duration: number;
  /** Wall clock of its first frame, ms since the epoch (the live playlist's EXT-X-PROGRAM-DATE-TIME). */
  readonly programDateTime: number;
  /** The first segment of a new ffmpeg (a producer that came back): a new init, a discontinuity. */
  readonly discontinuity: boolean;
  /** The init segment (ftyp+moov) it needs; the same Buffer until a new ffmpeg starts. */
  readonly init: Buffer;
}
