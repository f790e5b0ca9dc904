/** The multivariant ("master") playlist listing a stream's renditions (RFC 8216bis §4.4.6.2). Pure. */
import { quoted, uriLine } from './m3uFormat.js';

export interface Variant {
  /** The rendition's media playlist, relative to this playlist. */
  readonly uri: string;
  /** Peak segment bit rate, bits per second. */
  readonly bandwidth: number;
  readonly averageBandwidth?: number;
  /** RFC 6381 codecs of every format in the rendition, e.g. `avc1.64001f,mp4a.40.2`. */
  readonly codecs: string;
  readonly resolution?: { readonly width: number; readonly height: number };
  readonly frameRate?: number;
}

/**
 * Version 6: the version of the playlist "and its associated media" (§4.4.1.2), and the
 * renditions are fMP4 with EXT-X-MAP, which needs 6 (§4.4.4.5).
 */
const VERSION = 6;

export function renderMasterPlaylist(variants: readonly Variant[]): string {
  if (variants.length === 0) throw new RangeError('a multivariant playlist needs at least one variant');
  // Every segment of every rendition starts with a keyframe (segments are cut on keyframes).
  // No EXT-X-INDEPENDENT-SEGMENTS: a broadcast's second segment starts between keyframes (see LlRendition).
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${VERSION}`];
  for (const variant of variants) lines.push(streamInf(variant), uriLine(variant.uri));
  return `${lines.join('\n')}\n`;
}

function streamInf(variant: Variant): string {
  const attributes = [`BANDWIDTH=${positiveInteger(variant.bandwidth, 'BANDWIDTH')}`];
  if (variant.averageBandwidth !== undefined) attributes.push(`AVERAGE-BANDWIDTH=${positiveInteger(variant.averageBandwidth, 'AVERAGE-BANDWIDTH')}`);
  attributes.push(`CODECS=${quoted(variant.codecs, 'CODECS')}`);
  if (variant.resolution !== undefined) {
    attributes.push(`RESOLUTION=${positiveInteger(variant.resolution.width, 'the width')}x${positiveInteger(variant.resolution.height, 'the height')}`);
  }
  if (variant.frameRate !== undefined) {
    if (!Number.isFinite(variant.frameRate) || variant.frameRate <= 0) throw new RangeError(`FRAME-RATE must be a positive number (got ${variant.frameRate})`);
    attributes.push(`FRAME-RATE=${variant.frameRate.toFixed(3)}`);
  }
  return `#EXT-X-STREAM-INF:${attributes.join(',')}`;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${what} must be a positive whole number (got ${value})`);
  return value;
}
