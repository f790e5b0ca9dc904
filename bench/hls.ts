/**
 * Scenario 5, HLS serving: playlist and segment requests per second and p99 under 1000
 * concurrent viewers (autocannon, on its own core), chatserver's room port against nginx from
 * Debian serving the same files (one worker process each, on the same core), when installed.
 * Classic HLS (HLS_MODE=classic: MPEG-TS segments, nginx serving ffmpeg's own cut of the same
 * pattern) and Low-Latency HLS (issue 17: the plain playlist, a part and a segment, served from
 * the worker's memory; nginx serves the very bytes the room served, written into its root).
 *
 *   npm run bench:hls -- [--connections 1000] [--seconds 10] [--quick]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parsePlaylist } from '../src/hls/playlist.js';
import { testFfmpeg } from '../test/helpers/media.js';
import { freePort, HAS_TASKSET, stopChild } from './lib/processes.js';
import { writeChart, writeResults } from './lib/report.js';
import { ROOT, startChatserver } from './lib/targets.js';

const { values } = parseArgs({ options: { connections: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '10' }, quick: { type: 'boolean', default: false } } });
const CONNECTIONS = values.quick ? 50 : Number(values.connections);
const SECONDS = values.quick ? 2 : Number(values.seconds);
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((candidate) => existsSync(candidate));

type HlsFile = 'playlist' | 'segment' | 'LL playlist' | 'LL part' | 'LL segment';
/** nginx's name for the LL playlist (its root already has the classic index.m3u8). */
const NGINX_LL_PLAYLIST = 'll-index.m3u8';

interface Load {
  readonly server: string;
  readonly file: HlsFile;
  readonly requestsPerS: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly mbPerS: number;
}

const PATTERN = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=30', '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '2500k', '-g', '30'];

/** A 720p test pattern cut into 1 s segments, as a live room would have (nginx serves these). */
function makeHls(dir: string): Promise<void> {
  return testFfmpeg().then((ffmpeg) => {
    execFileSync(ffmpeg, [
      ...PATTERN, '-f', 'hls', '-hls_time', '1', '-hls_list_size', '6',
      '-hls_segment_filename', path.join(dir, 'bench-%05d.ts'), path.join(dir, 'index.m3u8'),
    ]);
  });
}

/**
 * The same pattern pushed through the room's ingest (H.264, copied into 1 s segments): the room
 * port serves only segments its playlist listed, so files copied into its folder would be 404.
 * Returns the playlist's text (a finished stream's playlist stays served until the next one).
 */
async function pushThroughIngest(publicPort: number, roomPort: number): Promise<string> {
  const ffmpeg = await testFfmpeg();
  const media = execFileSync(ffmpeg, [...PATTERN, '-f', 'mpegts', 'pipe:1'], { maxBuffer: 256 * 1024 * 1024 });
  const minted = await fetch(`http://127.0.0.1:${publicPort}/api/v1/room/bench/token`, {
    method: 'POST',
    headers: { 'x-api-key': 'BENCH', 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'bench', name: 'bench', role: 'producer' }),
  });
  const { token } = ((await minted.json()) as { data: { token: string } }).data;
  const pushed = await fetch(`http://127.0.0.1:${roomPort}/ingest?token=${token}`, { method: 'POST', body: media });
  if (!pushed.ok) throw new Error(`ingest refused the bench stream: ${pushed.status} ${await pushed.text()}`);
  return (await fetch(`http://127.0.0.1:${roomPort}/hls/index.m3u8`)).text();
}

/** The LL files benchmarked: a part late in the stream (about 35 KB) and a whole segment. */
function llFiles(playlist: string): { part: string; segment: string } {
  const parts = [...playlist.matchAll(/#EXT-X-PART:[^\n]*URI="([^"]+)"/g)].map((match) => match[1]!);
  const segments = parsePlaylist(playlist).segments.map((segment) => segment.uri);
  if (parts.length < 3 || segments.length < 4) throw new Error(`the LL playlist lists too little to benchmark:\n${playlist}`);
  return { part: parts.at(-3)!, segment: segments[3]! };
}

/** autocannon on core 1, its JSON summary parsed. */
function cannon(url: string): { requestsPerS: number; p99Ms: number; errors: number; non2xx: number; mbPerS: number } {
  const cli = path.join(ROOT, 'node_modules/autocannon/autocannon.js');
  const args = [cli, '-c', String(CONNECTIONS), '-d', String(SECONDS), '-j', url];
  const result = HAS_TASKSET ? spawnSync('taskset', ['-c', '1', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }) : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const summary = JSON.parse(result.stdout) as { requests: { average: number }; latency: { p99: number }; errors: number; non2xx: number; throughput: { average: number } };
  return { requestsPerS: Math.round(summary.requests.average), p99Ms: summary.latency.p99, errors: summary.errors, non2xx: summary.non2xx, mbPerS: Math.round((summary.throughput.average / 1048576) * 10) / 10 };
}

/** Each file in turn (its path under the server's /hls), after a warm-up of the first. */
function measure(server: string, base: string, files: ReadonlyArray<readonly [HlsFile, string]>): Load[] {
  cannon(`${base}/${files[0]![1]}`); // warm up caches and connections
  return files.map(([file, name]) => ({ server, file, ...cannon(`${base}/${name}`) }));
}

async function startNginx(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'bench-nginx-'));
  const conf = path.join(prefix, 'nginx.conf');
  writeFileSync(conf, `worker_processes 1;
daemon off;
error_log ${prefix}/error.log warn;
pid ${prefix}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi; uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; video/mp4 m4s mp4; }
  server {
    listen 127.0.0.1:${port};
    root ${dir};
    location ~ ^/hls/[A-Za-z0-9_-]+\\.m3u8$ { add_header Cache-Control no-cache; add_header Access-Control-Allow-Origin *; }
    location ~ ^/hls/[A-Za-z0-9_-]+\\.(ts|m4s|mp4)$ { add_header Cache-Control "public, max-age=3600, immutable"; add_header Access-Control-Allow-Origin *; }
  }
}
`);
  const command = HAS_TASKSET ? 'taskset' : NGINX!;
  const args = HAS_TASKSET ? ['-c', '0', NGINX!, '-c', conf, '-p', prefix] : ['-c', conf, '-p', prefix];
  const child = spawn(command, args, { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${port}/hls/index.m3u8`).then((r) => r.ok, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}/hls`,
    stop: async () => {
      await stopChild(child);
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

const source = mkdtempSync(path.join(os.tmpdir(), 'bench-hls-'));
const loads: Load[] = [];
/** The LL files as the room served them, for nginx: name -> bytes. */
const llBytes = new Map<string, Buffer>();
let ll: { part: string; segment: string } | undefined;
try {
  await makeHls(source);
  const segment = readdirSync(source).filter((file) => file.endsWith('.ts')).sort()[2]!;
  const classic = await startChatserver(1, [], { HLS_MODE: 'classic' });
  try {
    const pushed = parsePlaylist(await pushThroughIngest(classic.publicPort, classic.roomPort));
    loads.push(...measure('chatserver', `http://127.0.0.1:${classic.roomPort}/hls`, [['playlist', 'index.m3u8'], ['segment', pushed.segments[2]!.uri]]));
  } finally {
    await classic.stop();
  }
  const low = await startChatserver(1, [], { HLS_MODE: 'll' });
  try {
    const playlist = await pushThroughIngest(low.publicPort, low.roomPort);
    ll = llFiles(playlist);
    llBytes.set(NGINX_LL_PLAYLIST, Buffer.from(playlist));
    for (const name of [ll.part, ll.segment]) llBytes.set(name, Buffer.from(await (await fetch(`http://127.0.0.1:${low.roomPort}/hls/${name}`)).arrayBuffer()));
    loads.push(...measure('chatserver', `http://127.0.0.1:${low.roomPort}/hls`, [['LL playlist', 'index.m3u8'], ['LL part', ll.part], ['LL segment', ll.segment]]));
  } finally {
    await low.stop();
  }
  if (NGINX) {
    // nginx serves <root>/hls/<file>, the same names as the room port.
    const www = mkdtempSync(path.join(os.tmpdir(), 'bench-www-'));
    // nginx started as root serves as an unprivileged user: the folder must be readable.
    chmodSync(www, 0o755);
    mkdirSync(path.join(www, 'hls'), { mode: 0o755 });
    for (const file of readdirSync(source)) copyFileSync(path.join(source, file), path.join(www, 'hls', file));
    for (const [name, bytes] of llBytes) writeFileSync(path.join(www, 'hls', name), bytes);
    const nginx = await startNginx(www);
    try {
      loads.push(...measure('nginx', nginx.url, [['playlist', 'index.m3u8'], ['segment', segment]]));
      if (ll) loads.push(...measure('nginx', nginx.url, [['LL playlist', NGINX_LL_PLAYLIST], ['LL part', ll.part], ['LL segment', ll.segment]]));
    } finally {
      await nginx.stop();
      rmSync(www, { recursive: true, force: true });
    }
  } else {
    console.log('nginx is not installed (apt-get install nginx-light): chatserver measured alone');
  }
} finally {
  rmSync(source, { recursive: true, force: true });
}

console.log(`HLS serving: ${CONNECTIONS} concurrent clients, ${SECONDS} s per file (one server process each, on core 0)`);
console.table(loads.map((l) => ({ server: l.server, file: l.file, 'requests/s': l.requestsPerS, 'MB/s': l.mbPerS, 'p99 ms': l.p99Ms, errors: l.errors, 'non-2xx': l.non2xx })));
const ratio = (file: Load['file']) => {
  const ours = loads.find((l) => l.server === 'chatserver' && l.file === file);
  const peer = loads.find((l) => l.server === 'nginx' && l.file === file);
  return ours && peer ? ours.requestsPerS / peer.requestsPerS : null;
};
const FILES: readonly HlsFile[] = ['playlist', 'segment', 'LL playlist', 'LL part', 'LL segment'];
const ratios: Record<string, number> = {};
for (const file of FILES) {
  const value = ratio(file);
  if (value !== null) ratios[file] = Number(value.toFixed(2));
  if (value !== null) console.log(`${file}: chatserver = ${value.toFixed(2)}x nginx requests/s`);
}
const sizes = ll ? { llPartBytes: llBytes.get(ll.part)?.length, llSegmentBytes: llBytes.get(ll.segment)?.length } : {};
writeResults('hls', { connections: CONNECTIONS, seconds: SECONDS, loads, ratios, ...sizes });
const LABELS: Record<HlsFile, string> = {
  playlist: 'classic live playlist (.m3u8)',
  segment: 'classic segment (.ts, ~220 KB)',
  'LL playlist': 'LL-HLS playlist (.m3u8, with parts)',
  'LL part': `LL-HLS part (.m4s, ${Math.round((sizes.llPartBytes ?? 0) / 1024)} KB)`,
  'LL segment': `LL-HLS segment (.m4s, ${Math.round((sizes.llSegmentBytes ?? 0) / 1024)} KB)`,
};
writeChart(
  'hls',
  {
    title: `HLS serving: ${CONNECTIONS} concurrent clients`,
    subtitle: 'requests per second (autocannon), one server process on one core each; higher is better',
    groups: FILES.map((file) => ({ label: LABELS[file], bars: loads.filter((l) => l.file === file).map((l) => ({ series: l.server, value: l.requestsPerS })) })),
    format: (v) => v.toLocaleString('en-US'),
  },
  values.quick,
);
