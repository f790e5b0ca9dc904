import { SRT_REJECT, type SrtRejectReason } from './rejections.js';

/** What a publisher's stream ID says: the token, and the room and mode when it names them. */
export interface PublishRequest {
  readonly token: string;
  /** `r=` of the access-control syntax, when given: must be the room's name. */
  readonly resource: string | null;
}

export type StreamIdParse = { ok: true; request: PublishRequest } | { ok: false; reason: SrtRejectReason; message: string };

/** The access-control syntax's prefix (SRT Access Control guidelines): `#!::key=value,key=value`. */
const ACCESS_CONTROL_PREFIX = '#!::';

/**
 * Reads a publisher's stream ID. Two forms:
 * - the producer token alone: `streamid=<token>`;
 * - the SRT access-control syntax, `#!::r=<room>,m=publish,s=<token>`: `s` (the standard
 *   "session ID" key, which MediaMTX also uses for credentials) holds the token; `r`, when
 *   given, must be the room's name; `m`, when given, must be `publish`; other keys (`u`, `h`,
 *   `t`...) are ignored. Keys must not repeat.
 * Callers pass the stream ID as they got it: ffmpeg 5.1 sends `streamid=` of its URL as is (so
 * `#!::...` is written unencoded there), others decode it first; an access-control ID that
 * arrives still percent-encoded (`%23%21%3A%3A...`) is decoded here.
 */
export function parseStreamId(raw: string | null): StreamIdParse {
  const streamId = raw === null ? null : percentDecoded(raw);
  if (streamId === null || streamId.length === 0) return refuse(SRT_REJECT.UNAUTHORIZED, 'No stream ID: set streamid to a producer token for this room');
  if (!streamId.startsWith('#!')) return { ok: true, request: { token: streamId, resource: null } };
  if (!streamId.startsWith(ACCESS_CONTROL_PREFIX)) return refuse(SRT_REJECT.BAD_REQUEST, `Only the "${ACCESS_CONTROL_PREFIX}key=value,..." form of the access-control syntax is supported`);
  const pairs = new Map<string, string>();
  for (const item of streamId.slice(ACCESS_CONTROL_PREFIX.length).split(',')) {
    const equals = item.indexOf('=');
    if (equals <= 0) return refuse(SRT_REJECT.BAD_REQUEST, `"${clip(item)}" in the stream ID is not key=value`);
    const key = item.slice(0, equals);
    if (pairs.has(key)) return refuse(SRT_REJECT.BAD_REQUEST, `The key "${clip(key)}" appears twice in the stream ID`);
    pairs.set(key, item.slice(equals + 1));
  }
  const mode = pairs.get('m');
  if (mode !== undefined && mode !== 'publish') return refuse(SRT_REJECT.BAD_MODE, `Mode "${clip(mode)}" is not supported: this server only takes publishers (m=publish)`);
  const token = pairs.get('s');
  if (token === undefined || token.length === 0) return refuse(SRT_REJECT.UNAUTHORIZED, 'No token in the stream ID: put a producer token in s=');
  return { ok: true, request: { token, resource: pairs.get('r') ?? null } };
}

function percentDecoded(streamId: string): string {
  if (!/^%23%21/i.test(streamId)) return streamId;
  try {
    return decodeURIComponent(streamId);
  } catch {
    return streamId;
  }
}

function refuse(reason: SrtRejectReason, message: string): StreamIdParse {
  return { ok: false, reason, message };
}

/** Peer text in a message, cut short. */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
