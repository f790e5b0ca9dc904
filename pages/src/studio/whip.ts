/**
 * WHIP (RFC 9725) from the browser: one sendonly RTCPeerConnection, H.264 preferred (the server
 * copies it into HLS) and Opus, the offer POSTed once ICE gathering is done (the server takes no
 * trickle ICE), the session DELETEd to stop. See docs/api.md, "WHIP".
 */
import { PublishRefused } from './publishErrors.ts';

/** Gathering on a host with many interfaces may take long; the candidates found by then are enough. */
const GATHER_MS = 2_000;
/** ICE and DTLS must be up by then, or the page falls back to the WebSocket upload. */
const WHIP_CONNECT_MS = 5_000;
/** A Stop waits for the DELETE (Go live stays off meanwhile); a server that does not answer has the DTLS close anyway. */
const DELETE_MS = 5_000;

export interface WhipSession {
  readonly pc: RTCPeerConnection;
  /** Ends the session on purpose (DELETE): the server ends the stream at once. */
  stop(): Promise<void>;
}

export function whipSupported(): boolean {
  return typeof RTCPeerConnection === 'function' && typeof RTCRtpSender === 'function' && typeof RTCRtpSender.getCapabilities === 'function';
}

function h264First(transceiver: RTCRtpTransceiver): void {
  const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
  const h264 = codecs.filter((c) => c.mimeType.toLowerCase() === 'video/h264' && /packetization-mode=1/.test(c.sdpFmtpLine ?? ''));
  if (h264.length === 0) throw new Error('This browser cannot send H.264 over WebRTC');
  transceiver.setCodecPreferences([...h264, ...codecs.filter((c) => !h264.includes(c))]);
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, GATHER_MS);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve();
    });
  });
}

function connected(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`WebRTC did not connect within ${WHIP_CONNECT_MS / 1000} s (UDP blocked?)`)), WHIP_CONNECT_MS);
    const check = () => {
      if (pc.connectionState === 'connected') {
        clearTimeout(timer);
        resolve();
      } else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        clearTimeout(timer);
        reject(new Error(`WebRTC connection ${pc.connectionState}`));
      }
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

interface ErrorBody {
  error?: { code?: string; message?: string };
}

/**
 * Publishes `stream` to `endpoint` with `token`; resolves once the media flows. `onLost(reason)`
 * is told when the connection drops or the server ends the session later (the peer connection
 * is closed by then). Throws PublishRefused for the server's refusals (token, busy, stopped).
 */
export async function publishWhip(endpoint: string, token: string, stream: MediaStream, onLost: (reason: string) => void): Promise<WhipSession> {
  const pc = new RTCPeerConnection();
  let location: string | null = null;
  let ended = false;
  const stop = async () => {
    ended = true;
    pc.close();
    if (location) await fetch(location, { method: 'DELETE', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(DELETE_MS) }).catch(() => undefined);
    location = null;
  };
  try {
    const [videoTrack] = stream.getVideoTracks();
    if (!videoTrack) throw new Error('No camera or screen to send');
    h264First(pc.addTransceiver(videoTrack, { direction: 'sendonly', streams: [stream], sendEncodings: [{ maxBitrate: 2_500_000 }] }));
    for (const track of stream.getAudioTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: `Bearer ${token}` },
      body: pc.localDescription?.sdp ?? '',
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as ErrorBody;
      const message = body.error?.message ?? `WHIP was refused (${response.status})`;
      throw [401, 403, 409].includes(response.status) ? new PublishRefused(message, response.status, body.error?.code) : new Error(message);
    }
    location = new URL(response.headers.get('location') ?? '', endpoint).href;
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    await connected(pc);
  } catch (error) {
    await stop();
    throw error;
  }
  const lost = (reason: string) => {
    if (ended) return;
    ended = true;
    location = null;
    pc.close();
    onLost(reason);
  };
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'failed' || pc.connectionState === 'closed') lost(`WebRTC connection ${pc.connectionState}`);
  });
  // The server ends a session (room deleted, stream failed, restart) with a DTLS close_notify:
  // the transport closes at once, where ICE would take 10-30 s to notice.
  const transport = pc.getSenders()[0]?.transport;
  transport?.addEventListener('statechange', () => {
    if (transport.state === 'closed' && pc.signalingState !== 'closed') lost('the server ended the session');
  });
  return { pc, stop };
}
