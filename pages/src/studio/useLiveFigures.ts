/**
 * The figures the studio shows while a broadcast runs: viewers and the live flag (room port
 * /health), the server's view of the ingest (GET /ingest: bitrate received, warnings), and the
 * WebRTC sender's own bitrate and dropped frames. Polled while `active`; the live flag and the
 * warnings are handed to the broadcast (they move it from "starting" to "live").
 */
import { useEffect, useState } from 'preact/hooks';
import type { StreamIngest } from '../../../src/contracts/ingest.ts';
import type { Broadcast } from './Broadcast.ts';
import { checkIngest, roomHealth } from './studioApi.ts';
import { sampleSender, senderFigures, type SenderFigures, type SenderSample } from './whipStats.ts';

const POLL_MS = 2_000;
/** While the stream starts: "LIVE" shows within this of viewers being able to watch. */
const STARTING_POLL_MS = 300;
const STATS_MS = 1_000;

export interface LiveFigures {
  readonly viewers: number | null;
  readonly ingest: StreamIngest | null;
  readonly sender: SenderFigures | null;
}

const NONE: LiveFigures = { viewers: null, ingest: null, sender: null };

/**
 * `starting`: published, not live yet, so the live flag is looked at more often. Only then: while
 * connecting or reconnecting there is nothing to see sooner, and a server that is down would be asked
 * several times a second.
 */
export function useLiveFigures(broadcast: Broadcast | null, port: number, token: string, active: boolean, starting: boolean): LiveFigures {
  const [figures, setFigures] = useState<LiveFigures>(NONE);
  useEffect(() => {
    if (!broadcast || !active) return;
    let stopped = false;
    let busy = false;
    const poll = async () => {
      if (busy) return;
      busy = true;
      const [health, check] = await Promise.allSettled([roomHealth(port), checkIngest(port, token)]);
      busy = false;
      if (stopped) return;
      if (health.status === 'fulfilled') {
        broadcast.sawLive(health.value.live);
        setFigures((old) => ({ ...old, viewers: health.value.viewers }));
      }
      if (check.status === 'fulfilled') {
        broadcast.sawWarnings(check.value.ingest?.warnings ?? []);
        setFigures((old) => ({ ...old, ingest: check.value.ingest }));
      }
    };
    let previous: { pc: RTCPeerConnection; sample: SenderSample } | null = null;
    const sample = async () => {
      const pc = broadcast.peerConnection;
      if (!pc) return setFigures((old) => ({ ...old, sender: null }));
      const now = await sampleSender(pc);
      if (stopped) return;
      if (previous?.pc === pc) setFigures((old) => ({ ...old, sender: senderFigures(previous!.sample, now) }));
      previous = { pc, sample: now };
    };
    void poll();
    const polling = setInterval(() => void poll(), starting ? STARTING_POLL_MS : POLL_MS);
    const sampling = setInterval(() => void sample().catch(() => undefined), STATS_MS);
    return () => {
      stopped = true;
      clearInterval(polling);
      clearInterval(sampling);
    };
  }, [broadcast, port, token, active, starting]);
  useEffect(() => {
    if (!active) setFigures(NONE);
  }, [active]);
  return figures;
}
