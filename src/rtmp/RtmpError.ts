/** What went wrong, in words a streamer's log can show; one code per kind of failure. */
export type RtmpErrorCode =
  | 'HANDSHAKE_FAILED'
  | 'HANDSHAKE_TIMEOUT'
  | 'PROTOCOL_ERROR'
  | 'AMF_INVALID'
  | 'TOO_LARGE'
  | 'IDLE_TIMEOUT'
  | 'PUBLISH_REFUSED'
  | 'UNSUPPORTED'
  | 'SOCKET_ERROR';

/**
 * The only error the RTMP layer throws: the parsers throw it on bad input and the session turns
 * it into one `failed` event, so anything else escaping is a bug, not a peer's doing.
 */
export class RtmpError extends Error {
  readonly code: RtmpErrorCode;

  constructor(code: RtmpErrorCode, message: string) {
    super(message);
    this.name = 'RtmpError';
    this.code = code;
  }
}
