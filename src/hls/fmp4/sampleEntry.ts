import { childBoxes, FieldReader, findChild, fullBox, type Box } from './boxes.js';
import { Fmp4Error } from './Fmp4Error.js';

/** What an HLS playlist needs from a track's sample entry (its `stsd` box's first entry). */
export interface SampleEntryInfo {
  /** RFC 6381 codec string for the CODECS attribute. */
  readonly codec: string;
  readonly width?: number;
  readonly height?: number;
}

/** VisualSampleEntry (ISO/IEC 14496-12 12.1.3): its fixed fields take 78 bytes before the child boxes. */
const VISUAL_FIELDS = 78;
/** AudioSampleEntry (12.2.3): 28 bytes; QuickTime's sound description versions 1 and 2 add 16 and 36. */
const AUDIO_FIELDS = 28;
const QUICKTIME_AUDIO_EXTRA = [0, 16, 36];

/** Codecs whose RFC 6381 string is the sample entry's four characters and nothing more. */
const PLAIN_AUDIO: Readonly<Record<string, string>> = { Opus: 'opus', fLaC: 'fLaC', 'ac-3': 'ac-3', 'ec-3': 'ec-3' };

/**
 * The codec string (and picture size) of a sample entry, or undefined for a codec this reader
 * does not describe (the caller skips that track and says why).
 */
export function describeSampleEntry(entry: Box, kind: 'video' | 'audio'): SampleEntryInfo | undefined {
  if (kind === 'video') {
    const fields = new FieldReader(entry.payload, entry.path);
    fields.skip(24);
    const width = fields.u16();
    const height = fields.u16();
    const children = childrenAfter(entry, VISUAL_FIELDS);
    if (entry.type === 'avc1' || entry.type === 'avc3') return { codec: avcCodec(entry.type, need(children, 'avcC', entry)), width, height };
    if (entry.type === 'hvc1' || entry.type === 'hev1') return { codec: hevcCodec(entry.type, need(children, 'hvcC', entry)), width, height };
    return undefined;
  }
  const plain = PLAIN_AUDIO[entry.type];
  if (plain) return { codec: plain };
  if (entry.type !== 'mp4a') return undefined;
  const version = new FieldReader(entry.payload, entry.path).bytesOf(10).readUInt16BE(8);
  const extra = QUICKTIME_AUDIO_EXTRA[version];
  if (extra === undefined) throw new Fmp4Error('UNSUPPORTED', `${entry.path}: sound description version ${version} is unknown`);
  return { codec: mp4aCodec(need(childrenAfter(entry, AUDIO_FIELDS + extra), 'esds', entry)) };
}

function childrenAfter(entry: Box, fixed: number): Box {
  if (entry.payload.length < fixed) throw new Fmp4Error('MALFORMED', `${entry.path} is truncated: ${entry.payload.length} bytes, its fields take ${fixed}`);
  return { ...entry, payload: entry.payload.subarray(fixed) };
}

function need(children: Box, type: string, entry: Box): Box {
  const found = findChild(children, type);
  if (!found) throw new Fmp4Error('MALFORMED', `${entry.path} has no ${type} box to describe its codec`);
  return found;
}

/** `avc1.PPCCLL`: profile, constraint flags and level from the AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3). */
function avcCodec(type: string, avcC: Box): string {
  const fields = new FieldReader(avcC.payload, avcC.path);
  fields.skip(1);
  return `${type}.${hex2(fields.u8())}${hex2(fields.u8())}${hex2(fields.u8())}`;
}

/**
 * `hvc1.[A-C]P.C.TL.B...` from the HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 E.3):
 * profile space as a letter, profile idc, compatibility flags bit-reversed in hex, tier and level,
 * then the constraint bytes without the trailing zero ones.
 */
function hevcCodec(type: string, hvcC: Box): string {
  const fields = new FieldReader(hvcC.payload, hvcC.path);
  fields.skip(1);
  const first = fields.u8();
  const space = ['', 'A', 'B', 'C'][first >> 6];
  const tier = first & 0x20 ? 'H' : 'L';
  const compatibility = fields.u32();
  let reversed = 0;
  for (let bit = 0; bit < 32; bit++) if (compatibility & (1 << bit)) reversed |= 1 << (31 - bit);
  const constraints = [...fields.bytesOf(6)];
  const level = fields.u8();
  while (constraints.length > 0 && constraints.at(-1) === 0) constraints.pop();
  const tail = constraints.map((byte) => `.${byte.toString(16).toUpperCase()}`).join('');
  return `${type}.${space}${first & 0x1f}.${(reversed >>> 0).toString(16).toUpperCase()}.${tier}${level}${tail}`;
}

/** `mp4a.40.<audio object type>` from the esds ES_Descriptor (ISO/IEC 14496-1 7.2.6), `mp4a.<OTI>` for other object types. */
function mp4aCodec(esds: Box): string {
  const { fields } = fullBox(esds);
  const es = descriptor(fields, 0x03, esds.path);
  es.skip(2);
  const flags = es.u8();
  if (flags & 0x80) es.skip(2);
  if (flags & 0x40) es.skip(es.u8());
  if (flags & 0x20) es.skip(2);
  const config = descriptor(es, 0x04, esds.path);
  const objectType = config.u8();
  if (objectType !== 0x40) return `mp4a.${hex2(objectType).toUpperCase()}`;
  config.skip(12);
  if (config.remaining === 0) {
    throw new Fmp4Error('UNSUPPORTED', `${esds.path} has no AudioSpecificConfig, so no player can decode the audio: ffmpeg wrote the moov before it knew the AAC configuration (copying ADTS AAC needs -bsf:a aac_adtstoasc and -movflags +delay_moov)`);
  }
  const specific = descriptor(config, 0x05, esds.path);
  const first = specific.u8();
  let audioObjectType = first >> 3;
  // An escape value: the real type is 32 plus the next six bits.
  if (audioObjectType === 31) audioObjectType = 32 + (((first & 0x07) << 3) | (specific.u8() >> 5));
  return `mp4a.40.${audioObjectType}`;
}

/** The next descriptor, which must have the given tag; a reader over its body. */
function descriptor(fields: FieldReader, tag: number, path: string): FieldReader {
  const found = fields.u8();
  if (found !== tag) throw new Fmp4Error('MALFORMED', `${path}: expected descriptor tag ${tag}, found ${found}`);
  let size = 0;
  for (let i = 0; i < 4; i++) {
    const byte = fields.u8();
    size = (size << 7) | (byte & 0x7f);
    if (!(byte & 0x80)) break;
  }
  return new FieldReader(fields.bytesOf(size), `${path} (descriptor ${tag})`);
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}

/** The first entry of a `stsd` box (a track that changes codec mid-stream is not live HLS). */
export function firstSampleEntry(stsd: Box): Box {
  const { fields } = fullBox(stsd);
  const count = fields.u32();
  if (count < 1) throw new Fmp4Error('MALFORMED', `${stsd.path} lists no sample entry`);
  const rest = fields.bytesOf(fields.remaining);
  for (const entry of childBoxes(rest, stsd.path)) return entry;
  throw new Fmp4Error('MALFORMED', `${stsd.path} says ${count} entries but holds none`);
}
