/**
 * Builds the pages (`pages/src/entries/*.tsx`, Preact components) into `public/build/`:
 *
 * - one ES module per page at `build/<page>.js` (and its styles at `build/<page>.css`), served
 *   with a short cache: the HTML pages load these names;
 * - the code pages share, and hls.js (imported only when a player starts), as content-hashed
 *   chunks under `build/chunks/`, served as immutable for a year (pageRoutes.ts);
 * - a `.br` and a `.gz` beside every script and stylesheet, which the static handler sends to
 *   browsers that accept them (no compression work per request);
 * - `build/meta.json`: esbuild's metafile, which the size test reads (a page's first load).
 *
 * Run by `npm run build` with Node's own TypeScript support: `node pages/build.ts [--watch]`.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = path.join(ROOT, 'pages/src/entries');
const OUT = path.join(ROOT, 'public/build');
const COMPRESSED = /\.(js|css|svg|json)$/;

const options: esbuild.BuildOptions = {
  entryPoints: readdirSync(ENTRIES).filter((name) => name.endsWith('.tsx')).map((name) => path.join(ENTRIES, name)),
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  // The browsers the pages support: the last two years of Chromium, Firefox and Safari.
  target: ['chrome120', 'firefox120', 'safari17'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: 'linked',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  assetNames: 'chunks/[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'linked',
};

/** Writes `.br` and `.gz` beside every compressible output file. */
function compressOutputs(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !COMPRESSED.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const body = readFileSync(file);
    writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
    writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
  }
}

if (process.argv.includes('--watch')) {
  // No .br/.gz from an earlier build: the server would send those instead of what this rebuilds.
  rmSync(OUT, { recursive: true, force: true });
  const context = await esbuild.context({ ...options, minify: false });
  await context.watch();
  process.stdout.write(`watching pages/src, building into ${path.relative(ROOT, OUT)}/ (uncompressed: run npm run build:pages before serving for real)\n`);
} else {
  rmSync(OUT, { recursive: true, force: true });
  const result = await esbuild.build(options);
  writeFileSync(path.join(OUT, 'meta.json'), JSON.stringify(result.metafile));
  compressOutputs(OUT);
}
