import type { IncomingMessage, ServerResponse } from 'node:http';
import { answeredMethod, sendHlsBytes, sendHlsError } from '../hlsResponse.js';
import { parseHlsPath } from '../hlsPath.js';
import { isSatisfied, judgeRequest, parsePlaylistQuery } from './blockingRequest.js';
import type { HeldRequests } from './HeldRequests.js';
import type { LlBroadcast } from './LlBroadcast.js';
import type { LlRendition } from './LlRendition.js';
import type { PlaylistTexts } from './PlaylistTexts.js';

/** What the room gives the Low-Latency HLS server. */
export interface LlSource {
  /** The room's current (or last) broadcast; null before any in ll mode. */
  broadcast(): LlBroadcast | null;
  /**
   * The stream is live but its broadcast has no playlist yet: one a rolling restart suspended,
   * waiting in the new worker for its producer's first segment. Playlist requests are held then.
   */
  awaitsBroadcast(): boolean;
  readonly held: HeldRequests;
  readonly texts: PlaylistTexts;
  /** The client's address (for the per-address bound on held requests). */
  address(req: IncomingMessage): string;
  /** The worker's counters of refused and expired holds. */
  readonly counters: { hlsHoldsRefused: number; hlsHoldsExpired: number };
  /** Runs before a playlist is answered (how viewers are counted). */
  onPlaylist(req: IncomingMessage): void;
}

/** Part and segment names are unique per broadcast; parts leave the playlist within seconds. */
const PART_CACHE = 'public, max-age=60';
const SEGMENT_CACHE = 'public, max-age=3600, immutable';
/** A plain playlist request always goes to the server. */
const PLAYLIST_CACHE = 'no-cache';
const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
/** A held request waits at most this many target durations (the RFC's client gives up after three). */
const HOLD_TARGET_DURATIONS = 3;
const MIN_HOLD_MS = 3_000;
/** A playlist request waits this long at most for a suspended stream's producer to come back. */
const AWAIT_BROADCAST_MS = 5_000;

/**
 * Serves `/hls/<file>` of a room in Low-Latency HLS mode, all from memory: the master and media
 * playlists (written per request; blocking reload with `_HLS_msn`/`_HLS_part`, delta updates
 * with `_HLS_skip`), init segments, parts and segments. A request for the hinted next part is
 * held until the part exists. Held requests are bounded (429 per address, 503 per room) and
 * answered 503 when what they wait for does not come in time.
 */
export function serveLlHls(source: LlSource, rest: string, search: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
  if (answeredMethod(req, res, '/hls/')) return;
  const file = parseHlsPath(rest);
  const broadcast = source.broadcast();
  if (file?.kind === 'playlist' && source.awaitsBroadcast()) {
    holdUntilBroadcast(source, req, res, () => serveLlHls(source, rest, search, req, res));
    return;
  }
  if (!file || file.kind === 'segment' || !broadcast) {
    sendHlsError(res, 404, 'NOT_FOUND', file && !broadcast ? 'No such HLS file (the room is not live)' : 'No such HLS file');
    return;
  }
  if (file.kind === 'playlist') {
    servePlaylist(source, broadcast, file.name, search, req, res);
    return;
  }
  const rendition = broadcast.renditionOf(file.name);
  if (!rendition) {
    sendHlsError(res, 404, 'NOT_FOUND', 'No such HLS file (parts leave the server a few segments after they leave the playlist)');
    return;
  }
  const headers = { 'content-type': file.contentType, 'cache-control': /-p\d+\.m4s$/.test(file.name) ? PART_CACHE : SEGMENT_CACHE };
  const bytes = rendition.file(file.name);
  if (bytes) {
    sendHlsBytes(req, res, bytes, headers);
    return;
  }
  // The hinted part: held until ffmpeg delivers it (RFC 8216bis 6.2.5.3).
  hold(source, rendition, req, res, () => rendition.file(file.name) !== null || rendition.ended, () => {
    const part = rendition.file(file.name);
    if (part) sendHlsBytes(req, res, part, headers);
    else sendHlsError(res, 404, 'NOT_FOUND', 'The stream ended before this part');
  });
}

function servePlaylist(source: LlSource, broadcast: LlBroadcast, name: string, search: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
  if (name === 'index.m3u8' && broadcast.hasMaster) {
    source.onPlaylist(req);
    sendHlsBytes(req, res, source.texts.master(broadcast), { 'content-type': PLAYLIST_TYPE, 'cache-control': PLAYLIST_CACHE });
    return;
  }
  const variant = broadcast.variant(name);
  const window = variant?.rendition.ready ? variant.rendition.window() : null;
  if (!variant || !window) {
    sendHlsError(res, 404, 'NOT_FOUND', variant ? 'The stream has no complete segment yet' : 'No such playlist');
    return;
  }
  const query = parsePlaylistQuery(search);
  if ('error' in query) {
    sendHlsError(res, 400, 'BAD_REQUEST', query.error);
    return;
  }
  source.onPlaylist(req);
  const rendition = variant.rendition;
  const blocking = query.msn !== null;
  const answer = () => {
    const text = source.texts.media(broadcast, variant, query.skip);
    // A blocking answer is the same for everyone who asked for that part: a cache may share it
    // briefly (media sequence numbers go on across a room's broadcasts, so it never stands for
    // another broadcast's). An ended playlist is not cached: the room may go live again.
    const current = rendition.window()!;
    const cache = blocking && !current.ended ? `public, max-age=${Math.max(1, Math.round(current.targetDuration * 6))}` : PLAYLIST_CACHE;
    sendHlsBytes(req, res, text, { 'content-type': PLAYLIST_TYPE, 'cache-control': cache });
  };
  const verdict = judgeRequest(window, query);
  if (verdict.kind === 'bad') sendHlsError(res, 400, 'BAD_REQUEST', verdict.message);
  else if (verdict.kind === 'now') answer();
  else hold(source, rendition, req, res, () => rendition.ended || isSatisfied(rendition.window()!, query), answer);
}

/**
 * A playlist asked for while a suspended stream waits for its producer (a rolling restart): the
 * request waits for the continuing broadcast's first segment, as a blocking reload waits for the
 * next part, so a player sees a stall rather than a 404 it may give up on.
 */
function holdUntilBroadcast(source: LlSource, req: IncomingMessage, res: ServerResponse, serve: () => void): void {
  const refused = source.held.hold(res, source.address(req), AWAIT_BROADCAST_MS, () => !source.awaitsBroadcast(), serve, () => {
    source.counters.hlsHoldsExpired += 1;
    sendHlsError(res, 503, 'HLS_NOT_READY', 'The stream is waiting for its producer to come back; try again', { 'retry-after': '1' });
  });
  if (refused) source.counters.hlsHoldsRefused += 1;
  if (refused === 'address') sendHlsError(res, 429, 'RATE_LIMITED', 'Too many held HLS requests from your address', { 'retry-after': '1' });
  else if (refused === 'room') sendHlsError(res, 503, 'HLS_BUSY', 'Too many held HLS requests in this room', { 'retry-after': '1' });
}

function hold(source: LlSource, rendition: LlRendition, req: IncomingMessage, res: ServerResponse, ready: () => boolean, answer: () => void): void {
  const targetDuration = rendition.window()?.targetDuration ?? 1;
  const timeoutMs = Math.max(MIN_HOLD_MS, targetDuration * HOLD_TARGET_DURATIONS * 1000);
  const refused = source.held.hold(res, source.address(req), timeoutMs, ready, answer, () => {
    source.counters.hlsHoldsExpired += 1;
    sendHlsError(res, 503, 'HLS_NOT_READY', `What the request waits for did not come within ${timeoutMs / 1000} s: the stream may have stalled; try again`, { 'retry-after': '1' });
  });
  if (refused) source.counters.hlsHoldsRefused += 1;
  if (refused === 'address') sendHlsError(res, 429, 'RATE_LIMITED', 'Too many held HLS requests from your address', { 'retry-after': '1' });
  else if (refused === 'room') sendHlsError(res, 503, 'HLS_BUSY', 'Too many held HLS requests in this room', { 'retry-after': '1' });
}
