// The peer for the broadcast latency benchmark: Node-Media-Server 2.7 (the last release with
// RTMP -> HLS "trans"; 4.x dropped it) configured as its README shows, with ffmpeg remuxing each
// RTMP stream of app `live` into HLS. Its stdout says `ready` once both ports listen.
// Usage: node nodeMediaServer.mjs RTMP_PORT HTTP_PORT MEDIAROOT FFMPEG HLS_TIME
import NodeMediaServer from 'node-media-server';

const [rtmpPort, httpPort, mediaroot, ffmpeg, hlsTime] = process.argv.slice(2);
const nms = new NodeMediaServer({
  logType: 1, // errors only
  rtmp: { port: Number(rtmpPort), chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 },
  http: { port: Number(httpPort), mediaroot, allow_origin: '*' },
  trans: {
    ffmpeg,
    tasks: [{ app: 'live', hls: true, hlsFlags: `[hls_time=${hlsTime}:hls_list_size=3:hls_flags=delete_segments]` }],
  },
});
nms.run();

// NMS has no "listening" event: poll its HTTP port, then say ready.
const poll = setInterval(() => {
  fetch(`http://127.0.0.1:${httpPort}/api/server`).then(
    () => {
      clearInterval(poll);
      process.stdout.write('ready\n');
    },
    () => {},
  );
}, 100);
