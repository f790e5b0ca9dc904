import { decodeAll } from './amf0.js';
import { RtmpError } from './RtmpError.js';

/** An FLV tag as RTMP carries it: audio (8), video (9) or script data (18). */
export interface FlvTag {
  readonly type: 8 | 9 | 18;
  /** Milliseconds. */
  readonly timestamp: number;
  readonly data: Buffer;
}

/** The 9-byte header and the first PreviousTagSize (0). */
export function flvHeader(tracks: { readonly audio: boolean; readonly video: boolean }): Buffer {
  const header = Buffer.from([0x46, 0x4c, 0x56, 1, 0, 0, 0, 0, 9, 0, 0, 0, 0]);
  header[4] = (tracks.audio ? 0x04 : 0) | (tracks.video ? 0x01 : 0);
  return header;
}

/** One tag with its trailing PreviousTagSize. */
export function flvTagBytes(tag: FlvTag): Buffer {
  const head = Buffer.alloc(11);
  head[0] = tag.type;
  head.writeUIntBE(tag.data.length, 1, 3);
  // FLV splits the 32-bit time: 24 low bits, then the high 8 bits in the "extended" byte.
  const time = tag.timestamp >>> 0;
  head.writeUIntBE(time & 0xffffff, 4, 3);
  head[7] = time >>> 24;
  const size = Buffer.alloc(4);
  size.writeUInt32BE(11 + tag.data.length);
  return Buffer.concat([head, tag.data, size]);
}

/**
 * Turns a publisher's tags into an FLV byte stream, the form our ingest (and ffmpeg's `-f flv`)
 * reads. The header's track flags matter: the ingest waits for a first tag of every track the
 * header names. They come from onMetaData when the publisher sends it first (ffmpeg and OBS do);
 * otherwise both tracks are assumed.
 */
export class FlvStream {
  #started = false;

  push(tag: FlvTag): Buffer {
    const body = flvTagBytes(tag);
    if (this.#started) return body;
    this.#started = true;
    const tracks = tag.type === 18 ? tracksOf(tag.data) : { audio: true, video: true };
    return Buffer.concat([flvHeader(tracks), body]);
  }
}

function tracksOf(script: Buffer): { audio: boolean; video: boolean } {
  try {
    const [name, meta] = decodeAll(script);
    if (name === 'onMetaData' && typeof meta === 'object' && meta !== null && !(meta instanceof Date) && !Array.isArray(meta)) {
      const audio = meta['audiocodecid'] !== undefined;
      const video = meta['videocodecid'] !== undefined;
      if (audio || video) return { audio, video };
    }
  } catch (error) {
    if (!(error instanceof RtmpError)) throw error;
  }
  return { audio: true, video: true };
}
