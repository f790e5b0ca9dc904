/**
 * Node-Media-Server (bench/peers/nodeMediaServer.mjs: 2.7, RTMP in, HLS out through one ffmpeg
 * per stream, as its README sets it up) as a process whose CPU can be read, for the RTMP
 * ingest scenario (pinned to core 0) and the ffmpeg glass-to-glass scenario (with the peer
 * viewer page copied into its media root, so hls.js plays from NMS's own origin). The latency
 * scenario starts the same peer with a browser relay in front.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { writeHlsConfigModule } from './hlsConfigModule.js';
import { freePort, spawnPinned, stopChild, waitForLine } from './processes.js';
import { ROOT } from './targets.js';

export interface NodeMediaServerPeer {
  readonly pid: number;
  readonly rtmpPort: number;
  /** Where NMS lists a stream's HLS segments (its trans task writes them under app `live`). */
  readonly playlistUrl: (stream: string) => string;
  /** The peer viewer page (hls.js with the watch page's settings) playing a stream; with `viewer` only. */
  readonly viewerUrl: (stream: string) => string;
  readonly stop: () => Promise<void>;
}

export interface PeerOptions {
  /** Pinned to core 0 (default), or free to run anywhere, as the servers it is compared with. */
  readonly pinned?: boolean;
  /** Copies bench/browser/hlsViewer.html, hls.js and the watch page's settings into the media root. */
  readonly viewer?: boolean;
}

function copyViewer(mediaroot: string): void {
  copyFileSync(path.join(ROOT, 'bench/browser/hlsViewer.html'), path.join(mediaroot, 'hlsViewer.html'));
  copyFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.mjs'), path.join(mediaroot, 'hls.min.mjs'));
  writeHlsConfigModule(mediaroot);
}

export async function startNodeMediaServerPeer(ffmpeg: string, hlsTime: number, options: PeerOptions = {}): Promise<NodeMediaServerPeer> {
  const [rtmpPort, httpPort] = [await freePort(), await freePort()];
  const mediaroot = mkdtempSync(path.join(os.tmpdir(), 'bench-nms-'));
  if (options.viewer) copyViewer(mediaroot);
  const args = [path.join(ROOT, 'bench/peers/nodeMediaServer.mjs'), String(rtmpPort), String(httpPort), mediaroot, ffmpeg, String(hlsTime)];
  const child = options.pinned === false ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] }) : spawnPinned(args, process.env);
  await waitForLine(child, (line) => line === 'ready');
  const playlistUrl = (stream: string) => `http://127.0.0.1:${httpPort}/live/${stream}/index.m3u8`;
  return {
    pid: child.pid!,
    rtmpPort,
    playlistUrl,
    viewerUrl: (stream) => `http://127.0.0.1:${httpPort}/hlsViewer.html?src=${encodeURIComponent(playlistUrl(stream))}`,
    stop: async () => {
      await stopChild(child);
      rmSync(mediaroot, { recursive: true, force: true });
    },
  };
}
