/**
 * What the WebRTC sender reports (RTCPeerConnection.getStats): the bitrate sent since the last
 * sample, and the frames the camera gave that were never sent (the encoder dropped them: too
 * little bandwidth or CPU).
 */

export interface SenderSample {
  /** ms (the stats' own clock). */
  readonly at: number;
  readonly bytesSent: number;
  readonly framesCaptured: number;
  readonly framesSent: number;
}

export interface SenderFigures {
  readonly bitrateKbps: number;
  readonly droppedFrames: number;
}

interface StatsEntry {
  type: string;
  kind?: string;
  timestamp: number;
  bytesSent?: number;
  framesSent?: number;
  frames?: number;
}

export async function sampleSender(pc: RTCPeerConnection): Promise<SenderSample> {
  const report = await pc.getStats();
  let at = 0;
  let bytesSent = 0;
  let framesCaptured = 0;
  let framesSent = 0;
  report.forEach((entry: StatsEntry) => {
    at = Math.max(at, entry.timestamp);
    if (entry.type === 'outbound-rtp') {
      bytesSent += entry.bytesSent ?? 0;
      if (entry.kind === 'video') framesSent += entry.framesSent ?? 0;
    } else if (entry.type === 'media-source' && entry.kind === 'video') framesCaptured += entry.frames ?? 0;
  });
  return { at, bytesSent, framesCaptured, framesSent };
}

/** Figures between two samples of the same connection. */
export function senderFigures(before: SenderSample, after: SenderSample): SenderFigures {
  const seconds = (after.at - before.at) / 1000;
  const bitrateKbps = seconds > 0 ? Math.round(((after.bytesSent - before.bytesSent) * 8) / 1000 / seconds) : 0;
  return { bitrateKbps: Math.max(0, bitrateKbps), droppedFrames: Math.max(0, after.framesCaptured - after.framesSent) };
}
