/**
 * Node-Media-Server (bench/peers/nodeMediaServer.mjs: 2.7, RTMP in, HLS out through one ffmpeg
 * per stream, as its README sets it up) as a pinned process whose CPU can be read, for the RTMP
 * ingest scenario. The latency scenario starts the same peer with a browser relay in front.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, spawnPinned, stopChild, waitForLine } from './processes.js';
import { ROOT } from './targets.js';

export interface NodeMediaServerPeer {
  readonly pid: number;
  readonly rtmpPort: number;
  /** Where NMS lists a stream's HLS segments (its trans task writes them under app `live`). */
  readonly playlistUrl: (stream: string) => string;
  readonly stop: () => Promise<void>;
}

export async function startNodeMediaServerPeer(ffmpeg: string, hlsTime: number): Promise<NodeMediaServerPeer> {
  const [rtmpPort, httpPort] = [await freePort(), await freePort()];
  const mediaroot = mkdtempSync(path.join(os.tmpdir(), 'bench-nms-'));
  const child = spawnPinned([path.join(ROOT, 'bench/peers/nodeMediaServer.mjs'), String(rtmpPort), String(httpPort), mediaroot, ffmpeg, String(hlsTime)], process.env);
  await waitForLine(child, (line) => line === 'ready');
  return {
    pid: child.pid!,
    rtmpPort,
    playlistUrl: (stream) => `http://127.0.0.1:${httpPort}/live/${stream}/index.m3u8`,
    stop: async () => {
      await stopChild(child);
      rmSync(mediaroot, { recursive: true, force: true });
    },
  };
}
