import { EventEmitter } from 'node:events';
import { RTCPeerConnection, RTCRtpCodecParameters, type MediaStreamTrack, type RTCRtpReceiver, type RtpPacket } from 'werift';
import type { Logger } from '../kit/createLogger.js';
import { addPublicCandidates } from './answerCandidates.js';
import { sendCloseNotify } from './dtlsCloseNotify.js';
import { fullIntraRequest } from './fullIntraRequest.js';
import { KeyframeSchedule, type KeyframeRequest } from './KeyframeSchedule.js';
import type { RtpInput } from './RtpReorder.js';
import { WhipMuxer } from './WhipMuxer.js';

export interface WhipPeerOptions {
  /** ICE UDP ports (WHIP_UDP_PORTS); undefined lets the system pick a free one. */
  readonly udpPorts: { readonly first: number; readonly last: number } | undefined;
  /** An IP address clients reach this server by, added to the answer's candidates (see answerCandidates). */
  readonly publicAddress: string | null;
  /** The HLS segment length: a keyframe is asked for at each boundary (copied H.264 is cut only at keyframes). */
  readonly keyframeIntervalMs: number;
  /** ICE and DTLS must be up this long after the answer, or the session is dropped. */
  readonly connectTimeoutMs: number;
  /** No video packet for this long ends the session (a publisher that vanished without a goodbye). */
  readonly idleTimeoutMs: number;
  readonly logger: Logger;
}

/** Takes the Matroska bytes (H.264 video, Opus audio) in order, from the header on. */
export type MatroskaSink = (chunk: Buffer) => void;

export interface WhipPeerEvents {
  connected: [];
  /** A video keyframe went into the stream at this stream time (ms). */
  keyframe: [streamMs: number];
  /** The session is over, whatever the reason; emitted once. */
  closed: [reason: string];
}

/**
 * H.264 in packetization mode 1 without a profile-level-id, so whichever profile the client offers is
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
/** How often the keyframe schedule is looked at: a request is at most this late. */
const KEYFRAME_TICK_MS = 50;
/** The stream's start waits at most this long for the audio to reach the first keyframe. */
const AUDIO_WAIT_MS = 500;

/**
 * One WHIP publisher's WebRTC session (werift: ICE, DTLS-SRTP, RTP in pure TypeScript). It
 * answers the offer, receives H.264 and Opus, and turns the RTP into a live Matroska stream
 * (WhipMuxer) that the room's ingest reads like a browser's MediaRecorder upload. It asks for
 * keyframes (PLI, then FIR) where the HLS segments should be cut and after a loss
 * (KeyframeSchedule), and ends on its own when ICE never connects, the peer goes away, or video
 * stops.
 */
export class WhipPeer extends EventEmitter<WhipPeerEvents> {
  readonly #options: WhipPeerOptions;
  readonly #pc: RTCPeerConnection;
  readonly #muxer: WhipMuxer;
  readonly #timers = new Set<NodeJS.Timeout>();
  #schedule: KeyframeSchedule | null = null;
  #firSequence = 0;
  #lastVideoAt = 0;
  /** When ICE and DTLS came up: the idle clock runs from then, so a publisher that never sends video is cut too. */
  #connectedAt = 0;
  #connected = false;
  #closed = false;

  constructor(options: WhipPeerOptions, hasAudio: boolean, sink: MatroskaSink) {
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
    this.#muxer = new WhipMuxer({
      audio: hasAudio,
      audioWaitMs: AUDIO_WAIT_MS,
      write: (chunk) => {
        if (!this.#closed) sink(chunk);
      },
      keyframe: (streamMs) => {
        this.#schedule?.keyframe(streamMs);
        this.emit('keyframe', streamMs);
      },
      broken: () => this.#schedule?.lost(Date.now()),
    });
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
    // The goodbye first: once the peer connection is closed, nothing can be sent.
    sendCloseNotify(this.#pc)
      .then(() => this.#pc.close())
      .catch((error: unknown) => this.#options.logger.debug({ err: error }, 'whip peer close failed'));
    this.emit('closed', reason);
  }

  #track(track: MediaStreamTrack): void {
    if (this.#closed) return;
    if (track.kind === 'audio') {
      track.onReceiveRtp.subscribe((rtp) => {
        if (!this.#closed) this.#muxer.audio(rtpInput(rtp), Date.now());
      });
      return;
    }
    const receiver = this.#pc.getTransceivers().find((t) => t.kind === 'video')?.receiver;
    track.onReceiveRtp.subscribe((rtp) => {
      if (this.#closed) return;
      const now = Date.now();
      this.#schedule ??= new KeyframeSchedule(this.#options.keyframeIntervalMs, now);
      this.#lastVideoAt = now;
      this.#muxer.video(rtpInput(rtp), now);
    });
    this.#every(KEYFRAME_TICK_MS, () => {
      const now = Date.now();
      const request = this.#schedule?.due(now, this.#muxer.streamTime(now));
      if (request && receiver && track.ssrc !== undefined) this.#askKeyframe(receiver, track.ssrc, request);
    });
    const { idleTimeoutMs } = this.#options;
    this.#every(1_000, () => {
      const last = this.#lastVideoAt || this.#connectedAt;
      const since = Date.now() - last;
      if (last !== 0 && since > idleTimeoutMs) this.close(`no video arrived for ${Math.round(since / 1000)} s`);
    });
  }

  /** PLI to the video's SSRC; FIR (RFC 5104) when PLIs went unanswered. */
  #askKeyframe(receiver: RTCRtpReceiver, ssrc: number, request: KeyframeRequest): void {
    this.#options.logger.debug({ request, ssrc }, 'whip keyframe request');
    if (request === 'pli') {
      void receiver.sendRtcpPLI(ssrc);
      return;
    }
    this.#firSequence = (this.#firSequence + 1) % 256;
    receiver.dtlsTransport.sendRtcp([fullIntraRequest(receiver.rtcpSsrc, ssrc, this.#firSequence)]).catch((error: unknown) => this.#options.logger.debug({ err: error }, 'whip FIR failed'));
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

function rtpInput(rtp: RtpPacket): RtpInput {
  return { sequence: rtp.header.sequenceNumber, timestamp: rtp.header.timestamp, marker: rtp.header.marker, payload: rtp.payload };
}
