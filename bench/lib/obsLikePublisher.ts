/**
 * ffmpeg as an OBS-like publisher: 720p30, x264 veryfast zerolatency with a keyframe a second
 * (`-g 30`), AAC, paced in real time (`-re`). Two kinds:
 *  - `clockPublisherArgs`: encodes live, and paints the wall clock (when each frame leaves the
 *    filter graph, just before the encoder, as a capture would be) as the black and white blocks
 *    bench/browser/clock.js reads back from a viewer's <video>, for glass-to-glass latency;
 *  - `copyPublisherArgs`: replays a clip encoded once with the same settings (`-c copy`), so ten
 *    producers fit on a 2-core machine beside the server; the server sees the same stream.
 * Destinations: RTMP (`-f flv rtmp://.../live/KEY`) or the HTTP push (`-f mpegts http://.../ingest?token=`).
 */

const BITS = 24;
/** clock.js's layout, drawn at 1280x720 (twice its 640x360 canvas). */
const SCALE = 2;
const BLOCK = 40 * SCALE;
const COLUMNS = 12;

export const X264_OBS_LIKE = ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '30', '-keyint_min', '30', '-pix_fmt', 'yuv420p', '-b:v', '2500k'];
const AAC = ['-c:a', 'aac', '-b:a', '128k'];
const VIDEO_720P30 = ['-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=30'];
const TONE = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];

export type Destination = { readonly kind: 'rtmp'; readonly url: string } | { readonly kind: 'http'; readonly url: string };

/** The muxer for a destination: FLV over RTMP, MPEG-TS over HTTP, written out packet by packet. */
function output(destination: Destination): string[] {
  const container = destination.kind === 'rtmp' ? 'flv' : 'mpegts';
  return ['-muxdelay', '0', '-muxpreload', '0', '-flush_packets', '1', '-f', container, destination.url];
}

/**
 * The filter graph: the frame's pts becomes the wall clock in ms (RTCTIME), which the blocks'
 * `enable` expressions read as `t`; then pts go back to frame numbers for the encoder.
 */
function clockFilter(): string {
  const rows = [0, 1].map((row) => `drawbox=x=${(40 * SCALE)}:y=${(60 + row * 80) * SCALE}:w=${COLUMNS * BLOCK}:h=${BLOCK}:color=black:t=fill`);
  const bits = Array.from({ length: BITS }, (_, bit) => {
    const x = (40 + (bit % COLUMNS) * 40) * SCALE;
    const y = (60 + Math.floor(bit / COLUMNS) * 80) * SCALE;
    return `drawbox=x=${x}:y=${y}:w=${BLOCK}:h=${BLOCK}:color=white:t=fill:enable='eq(mod(floor(mod(t*1000,${2 ** BITS})/${2 ** bit}),2),1)'`;
  });
  return ['settb=1/1000', 'setpts=RTCTIME/1000', ...rows, ...bits, 'settb=1/30', 'setpts=N'].join(',');
}

export function clockPublisherArgs(destination: Destination, seconds: number): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-re', ...VIDEO_720P30, '-re', ...TONE, '-vf', clockFilter(), ...X264_OBS_LIKE, ...AAC, '-t', String(seconds), ...output(destination)];
}

/** Encodes the clip `copyPublisherArgs` replays (FLV: what an RTMP publisher sends). */
export function clipArgs(file: string, seconds: number): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-y', ...VIDEO_720P30, ...TONE, ...X264_OBS_LIKE, ...AAC, '-t', String(seconds), '-f', 'flv', file];
}

/** Replays the clip in a loop at real time, copied: one producer's stream for as long as it runs. */
export function copyPublisherArgs(clip: string, destination: Destination): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', ...output(destination)];
}
