import { EventEmitter } from 'node:events';
import { Event, RTCPeerConnection, RTCRtpCodecParameters, type MediaStreamTrack } from 'werift';
import { MediaRecorder, type WebmOutput } from 'werift/nonstandard';
import type { Logger } from '../kit/createLogger.js';
import { addPublicCandidates } from './answerCandidates.js';
import { sendCloseNotify } from './dtlsCloseNotify.js';

export interface WhipPeerOptions {
  /** ICE UDP ports (WHIP_UDP_PORTS); undefined: any free port the system gives. */
  readonly udpPorts: { readonly first: number; readonly last: number } | undefined;
  /** An IP address clients reach this server by, added to the answer's candidates (see answerCandidates). */
  readonly publicAddress: string | null;
  /** A keyframe is asked for this often: copied H.264 can only be cut into segments at keyframes. */
  readonly keyframeIntervalMs: number;
  /** ICE and DTLS must be up this long after the answer, or the session is dropped. */
  readonly connectTimeoutMs: number;
  /** No video packet for this long ends the session (a publisher that vanished without a goodbye). */
  readonly idleTimeoutMs: number;
  readonly logger: Logger;
}

/** Takes the WebM bytes (Matroska: H.264 video, Opus audio) in order, from the header on. */
export type WebmSink = (chunk: Buffer) => void;

export interface WhipPeerEvents {
  connected: [];
  /** The session is over, whatever the reason; emitted once. */
  closed: [reason: string];
}

/**
 * H.264 in packetization mode 1 without a profile-level-id: any profile the client offers is
 * accepted and copied as it comes (werift would otherwise require an exact profile match).
 */
const VIDEO_CODECS = [
  new RTCRtpCodecParameters({
    mimeType: 'video/H264',
    clockRate: 90_000,
    parameters: 'packetization-mode=1',
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }],
  }),
];
const AUDIO_CODECS = [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })];
/** A disconnected ICE session may recover (a network switch); after this it has not. */
const DISCONNECTED_GRACE_MS = 3_000;

/**
 * One WHIP publisher's WebRTC session (werift: ICE, DTLS-SRTP, RTP in pure TypeScript). It
 * answers the offer, receives H.264 and Opus, depacketizes them and emits a WebM byte stream
 * (werift's own Matroska writer) that the room's ingest reads like a browser's MediaRecorder
 * upload. It asks for keyframes (PLI) at the start and every keyframeIntervalMs, and ends on
 * its own when ICE never connects, the peer goes away, or video stops.
 */
export class WhipPeer extends EventEmitter<WhipPeerEvents> {
  readonly #options: WhipPeerOptions;
  readonly #pc: RTCPeerConnection;
  readonly #recorder: MediaRecorder;
  readonly #output = new Event<[WebmOutput]>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #lastVideoAt = 0;
  /** When ICE and DTLS came up: the idle clock runs from then, so a publisher that never sends video is cut too. */
  #connectedAt = 0;
  #connected = false;
  #closed = false;

  /**
   * `sink` is given here, not listened to later: werift reports the tracks while it reads the
   * offer, and the WebM header is written then, before answer() returns.
   */
  constructor(options: WhipPeerOptions, hasAudio: boolean, sink: WebmSink) {
    super();
    this.#options = options;
    const ports = options.udpPorts;
    this.#pc = new RTCPeerConnection({
      codecs: { video: VIDEO_CODECS, audio: AUDIO_CODECS },
      icePortRange: ports ? [ports.first, ports.last] : undefined,
      iceUseIpv6: false,
      // Browsers send DTLS/ICE to every candidate; TCP candidates would only add sockets.
      iceUseTcp: false,
    });
    this.#output.subscribe((output) => {
      // A Uint8Array view into werift's buffers: copied into a Buffer of our own.
      if (output.saveToFile && !this.#closed) sink(Buffer.from(output.saveToFile));
    });
    this.#recorder = new MediaRecorder({ numOfTracks: hasAudio ? 2 : 1, stream: this.#output });
    this.#recorder.onError.subscribe((error) => this.close(`the media could not be recorded: ${error.message}`));
    this.#pc.onTrack.subscribe((track) => this.#track(track));
    this.#pc.connectionStateChange.subscribe((state) => this.#stateChanged(state));
    this.#after(options.connectTimeoutMs, () => {
      if (!this.#connected) this.close(`ICE did not connect within ${options.connectTimeoutMs / 1000} s (is UDP to this server blocked?)`);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The SDP answer to a checked offer (see whipOffer), with every candidate in it (no trickle). */
  async answer(offer: string): Promise<string> {
    await this.#pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await this.#pc.setLocalDescription(await this.#pc.createAnswer());
    const sdp = this.#pc.localDescription?.sdp;
    if (!sdp) throw new Error('no local description after the answer');
    const address = this.#options.publicAddress;
    return address ? addPublicCandidates(sdp, address) : sdp;
  }

  /** Ends the session (idempotent): the peer connection closes, 'closed' is emitted. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    // The recorder waits for an end-of-stream marker a byte stream never gets: not awaited.
    this.#recorder.stop().catch((error: unknown) => this.#options.logger.debug({ err: error }, 'whip recorder stop failed'));
    // The goodbye first: once the peer connection is closed, nothing can be sent.
    sendCloseNotify(this.#pc)
      .then(() => this.#pc.close())
      .catch((error: unknown) => this.#options.logger.debug({ err: error }, 'whip peer close failed'));
    this.#output.allUnsubscribe();
    this.emit('closed', reason);
  }

  #track(track: MediaStreamTrack): void {
    if (this.#closed) return;
    this.#recorder.addTrack(track).catch((error: unknown) => this.close(`the ${track.kind} track could not be recorded: ${error instanceof Error ? error.message : String(error)}`));
    if (track.kind !== 'video') return;
    const transceiver = this.#pc.getTransceivers().find((t) => t.kind === 'video');
    const askKeyframe = () => {
      if (track.ssrc !== undefined) void transceiver?.receiver.sendRtcpPLI(track.ssrc);
    };
    track.onReceiveRtp.subscribe(() => {
      if (this.#lastVideoAt === 0) askKeyframe();
      this.#lastVideoAt = Date.now();
    });
    const { keyframeIntervalMs, idleTimeoutMs } = this.#options;
    this.#every(keyframeIntervalMs, askKeyframe);
    this.#every(1_000, () => {
      const last = this.#lastVideoAt || this.#connectedAt;
      const since = Date.now() - last;
      if (last !== 0 && since > idleTimeoutMs) this.close(`no video arrived for ${Math.round(since / 1000)} s`);
    });
  }

  #stateChanged(state: string): void {
    if (this.#closed) return;
    if (state === 'connected') {
      if (!this.#connected) {
        this.#connectedAt = Date.now();
        this.emit('connected');
      }
      this.#connected = true;
    } else if (state === 'failed' || state === 'closed') this.close(`the WebRTC connection ${state}`);
    else if (state === 'disconnected') {
      this.#after(DISCONNECTED_GRACE_MS, () => {
        if (this.#pc.connectionState === 'disconnected') this.close('the WebRTC connection was lost');
      });
    }
  }

  #after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  #every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref();
    this.#timers.add(timer);
  }
}
