// WHIP (RFC 9725) from the browser: one sendonly RTCPeerConnection, H.264 preferred (the server
// copies it into HLS) and Opus, the offer POSTed once ICE gathering is done (the server takes no
// trickle ICE), the session DELETEd to stop. See docs/api.md, "WHIP".

/** Gathering on a host with many interfaces may take long; the candidates found by then are enough. */
const GATHER_MS = 2_000;
/** ICE and DTLS must be up by then, or the page falls back to the WebSocket upload. */
export const WHIP_CONNECT_MS = 5_000;

/** A refusal from the server: the other ingest path would be refused too (token, busy room). */
export class WhipRefused extends Error {}

export function whipSupported() {
  return typeof RTCPeerConnection === 'function' && typeof RTCRtpSender === 'function' && typeof RTCRtpSender.getCapabilities === 'function';
}

function h264First(transceiver) {
  const codecs = RTCRtpSender.getCapabilities('video')?.codecs ?? [];
  const h264 = codecs.filter((c) => c.mimeType.toLowerCase() === 'video/h264' && /packetization-mode=1/.test(c.sdpFmtpLine ?? ''));
  if (h264.length === 0) throw new Error('This browser cannot send H.264 over WebRTC');
  transceiver.setCodecPreferences([...h264, ...codecs.filter((c) => !h264.includes(c))]);
}

function gathered(pc) {
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

function connected(pc) {
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

/**
 * Publishes `stream` to `endpoint` with `token`; resolves once the media flows, with the session
 * ({ pc, stop() }). `onLost(reason)` is told when the connection drops or the server ends the
 * session later (the peer connection is closed by then).
 */
export async function publishWhip(endpoint, token, stream, onLost) {
  const pc = new RTCPeerConnection();
  let location = null;
  const stop = async () => {
    pc.close();
    if (location) await fetch(location, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
    location = null;
  };
  try {
    const [videoTrack] = stream.getVideoTracks();
    if (!videoTrack) throw new Error('No camera track');
    h264First(pc.addTransceiver(videoTrack, { direction: 'sendonly', streams: [stream], sendEncodings: [{ maxBitrate: 2_500_000 }] }));
    for (const track of stream.getAudioTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp', authorization: `Bearer ${token}` },
      body: pc.localDescription.sdp,
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      const message = body.error?.message ?? `WHIP was refused (${response.status})`;
      throw [401, 403, 409].includes(response.status) ? new WhipRefused(message) : new Error(message);
    }
    location = new URL(response.headers.get('location') ?? '', endpoint).href;
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    await connected(pc);
  } catch (error) {
    await stop();
    throw error;
  }
  const lost = (reason) => {
    location = null;
    pc.close();
    onLost(reason);
  };
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState === 'failed' || pc.connectionState === 'closed') lost(`WebRTC connection ${pc.connectionState}`);
  });
  // The server ends a session (room deleted, stream failed, shutdown) with a DTLS close_notify:
  // the transport closes at once, where ICE would take 10-30 s to notice.
  const transport = pc.getSenders()[0]?.transport;
  transport?.addEventListener('statechange', () => {
    if (transport.state === 'closed' && pc.signalingState !== 'closed') lost('the server ended the session');
  });
  return { pc, stop };
}
