import { roomUrl } from '../kit/roomUrls.js';

/** What the server takes besides the room ports themselves (see IngestCapabilities). */
export interface PublishCapabilities {
  readonly srt: boolean;
  readonly rtmpPort: number | null;
}

/**
 * Where a producer publishes to a room, for pages and sites to show (docs/broadcast.md): the
 * key or token is the producer token in every case. Hosts are PUBLIC_HOST, as for the HLS URL.
 */
export interface PublishUrls {
  /** RTMP on the room's own port: server URL, the token as stream key. */
  readonly rtmp: string;
  /** RTMP on the shared RTMP_PORT (OBS's default port when it is 1935); null when off. */
  readonly rtmpShared: string | null;
  /** WHIP endpoint (Bearer token). */
  readonly whip: string;
  /** SRT on the room's UDP port (the token as `streamid`); null where ffmpeg has no SRT. */
  readonly srt: string | null;
  /** HTTP push (`?token=`): MPEG-TS, FLV or WebM bodies. */
  readonly http: string;
}

export function publishUrls(host: string, port: number, capabilities: PublishCapabilities): PublishUrls {
  const rtmpShared = capabilities.rtmpPort === null ? null : `rtmp://${host}${capabilities.rtmpPort === 1935 ? '' : `:${capabilities.rtmpPort}`}/live`;
  return {
    rtmp: `rtmp://${host}:${port}/live`,
    rtmpShared,
    whip: roomUrl(host, port, '/whip'),
    srt: capabilities.srt ? `srt://${host}:${port}` : null,
    http: roomUrl(host, port, '/ingest'),
  };
}
