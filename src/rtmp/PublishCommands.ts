import type { Amf0Value } from './amf0.js';
import type { OutgoingMessage } from './ChunkWriter.js';
import { command, status } from './messages.js';
import type { RtmpErrorCode } from './RtmpError.js';

/** What the command handler needs of its session; the session owns the socket and the events. */
export interface CommandContext {
  send(message: OutgoingMessage): void;
  /** Window Ack Size, Set Peer Bandwidth, Set Chunk Size and Stream Begin, before connect's result. */
  sendConnectReplies(): void;
  authorize(app: string, streamKey: string): Promise<void>;
  /** `authorize` let the publish through: answer it (NetStream.Publish.Start), or hand the session over. */
  accepted(app: string, streamKey: string, streamId: number): void;
  emitUnpublish(): void;
  /** Ends the session after the reply already sent has had time to reach the publisher. */
  refuse(code: RtmpErrorCode, message: string): void;
  closed(): boolean;
}

/** The RTMP application publishers name (`rtmp://HOST:PORT/live`), on a room's port and on RTMP_PORT. */
export const RTMP_APP = 'live';

/** The answer to an accepted publish. */
export function publishStart(streamId: number, app: string): OutgoingMessage {
  return command(streamId, 'onStatus', 0, null, status('status', 'NetStream.Publish.Start', `Publishing ${app}`));
}

/** The one stream id we hand out: a publisher needs one stream. */
const PUBLISH_STREAM_ID = 1;

/**
 * The commands a publisher sends, in the order ffmpeg and OBS send them: connect,
 * releaseStream, FCPublish, createStream, publish, and at the end FCUnpublish, deleteStream.
 * Media counts only once publish is authorized; a second publish on the connection is refused.
 */
export class PublishCommands {
  readonly #context: CommandContext;
  #app: string | null = null;
  #streamId = PUBLISH_STREAM_ID;
  #state: 'idle' | 'authorizing' | 'publishing' | 'ended' = 'idle';

  constructor(context: CommandContext) {
    this.#context = context;
  }

  get publishing(): boolean {
    return this.#state === 'publishing';
  }

  handle(values: Amf0Value[], streamId: number): void {
    const [name, transaction] = values;
    if (typeof name !== 'string') return;
    const txn = typeof transaction === 'number' ? transaction : 0;
    switch (name) {
      case 'connect':
        return this.#connect(values[2], txn);
      case 'releaseStream':
        return this.#context.send(command(0, '_result', txn, null, undefined));
      case 'FCPublish':
        return this.#context.send(command(0, 'onFCPublish', 0, null, status('status', 'NetStream.Publish.Start', String(values[3] ?? ''))));
      case 'createStream':
        return this.#context.send(command(0, '_result', txn, null, PUBLISH_STREAM_ID));
      case 'publish':
        return this.#publish(values[3], streamId || PUBLISH_STREAM_ID);
      case 'FCUnpublish':
      case 'deleteStream':
      case 'closeStream':
        return this.#unpublish();
      case 'play':
        return this.#context.refuse('UNSUPPORTED', 'This server takes RTMP publishers only; watch the stream over HLS');
      default:
        // Other commands (getStreamLength, _checkbw, …) are optional: a publisher carries on without an answer.
        return;
    }
  }

  #connect(commandObject: Amf0Value, txn: number): void {
    const app = isRecord(commandObject) && typeof commandObject['app'] === 'string' ? commandObject['app'] : '';
    this.#app = app.replace(/\/+$/, '');
    this.#context.sendConnectReplies();
    this.#context.send(
      command(0, '_result', txn, { fmsVer: 'FMS/3,0,1,123', capabilities: 31 }, {
        ...status('status', 'NetConnection.Connect.Success', 'Connection succeeded.'),
        objectEncoding: 0,
      }),
    );
  }

  #publish(key: Amf0Value, streamId: number): void {
    if (this.#app === null) return this.#context.refuse('PROTOCOL_ERROR', 'publish came before connect');
    if (this.#state !== 'idle') return this.#reject(streamId, 'This connection already publishes a stream');
    if (typeof key !== 'string' || key === '') return this.#reject(streamId, 'The stream key is missing');
    this.#state = 'authorizing';
    this.#streamId = streamId;
    const app = this.#app;
    this.#context.authorize(app, key).then(
      () => {
        if (this.#context.closed()) return;
        this.#state = 'publishing';
        this.#context.accepted(app, key, streamId);
      },
      (error: unknown) => {
        if (this.#context.closed()) return;
        this.#reject(streamId, error instanceof Error ? error.message : 'The stream key was refused');
      },
    );
  }

  /**
   * The server ends a publish it had accepted (the stream was stopped, or the ingest failed): an
   * error status with the reason on the publishing stream, then the connection closes.
   */
  stop(reason: string): void {
    if (this.#state === 'ended' || this.#context.closed()) return;
    const publishing = this.#state === 'publishing';
    this.#state = 'ended';
    if (publishing) this.#context.send(command(this.#streamId, 'onStatus', 0, null, status('error', 'NetStream.Failed', reason)));
    this.#context.refuse('PUBLISH_REFUSED', reason);
  }

  /** Publish.BadName is what OBS and ffmpeg show as "invalid stream key / already publishing". */
  #reject(streamId: number, reason: string): void {
    this.#state = 'ended';
    this.#context.send(command(streamId, 'onStatus', 0, null, status('error', 'NetStream.Publish.BadName', reason)));
    this.#context.refuse('PUBLISH_REFUSED', reason);
  }

  #unpublish(): void {
    if (this.#state !== 'publishing') return;
    this.#state = 'ended';
    this.#context.emitUnpublish();
  }
}

function isRecord(value: Amf0Value): value is { [key: string]: Amf0Value } {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !Array.isArray(value);
}
