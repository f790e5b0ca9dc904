import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** esbuild's metafile (pages/build.ts writes it): each output's static and dynamic imports. */
interface Meta {
  outputs: Record<string, { entryPoint?: string; imports: Array<{ path: string; kind: string }>; inputs?: Record<string, unknown> }>;
}
const BUILD = path.join(ROOT, 'public/build');
const meta = JSON.parse(readFileSync(path.join(BUILD, 'meta.json'), 'utf8')) as Meta;
const entries = Object.entries(meta.outputs).filter(([file, output]) => output.entryPoint && file.endsWith('.js'));

/** The files a page's first load fetches: its entry and every chunk it imports statically (dynamic imports load later). */
function firstLoad(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of meta.outputs[file]?.imports ?? []) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entry);
  return [...seen];
}

/** The chunk that holds hls.js (the one whose inputs come from the hls.js package). */
function hlsChunk(): string {
  const chunk = Object.entries(meta.outputs).find(([file, output]) => file.includes('/chunks/') && file.endsWith('.js') && Object.keys(output.inputs ?? {}).some((input) => input.includes('node_modules/hls.js/')));
  if (!chunk) throw new Error('no chunk holds hls.js: it must be imported dynamically (pages/src/player/loadHls.ts)');
  return chunk[0];
}

describe('built pages (pages/build.ts)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  beforeAll(async () => {
    server = await start({ workers: 1 });
  });

  it('keeps every page’s first load under 250 KB of compressed JavaScript', () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const [entry] of entries) {
      const bytes = firstLoad(entry).reduce((sum, file) => sum + brotliCompressSync(readFileSync(path.join(ROOT, file))).length, 0);
      expect(bytes, entry).toBeLessThan(250 * 1024);
    }
  });

  it('sends a page’s script compressed, with a short cache, and hashed chunks as immutable', async () => {
    const [entry] = entries[0]!;
    const url = `http://127.0.0.1:${server.port}/assets/${path.relative('public', entry)}`;
    const answer = await fetch(url, { headers: { 'accept-encoding': 'br' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-encoding')).toBe('br');
    expect(answer.headers.get('cache-control')).toBe('public, max-age=300');
    expect(answer.headers.get('vary')).toMatch(/accept-encoding/i);
    // fetch decodes: the body is the built file itself.
    expect(await answer.text()).toBe(readFileSync(path.join(ROOT, entry), 'utf8'));

    const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();

    // hls.js is always a chunk of its own (a dynamic import), so there is always one to ask for.
    const chunk = hlsChunk();
    const cached = await fetch(`http://127.0.0.1:${server.port}/assets/${path.relative('public', chunk)}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(cached.status).toBe(200);
    expect(cached.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(cached.headers.get('content-encoding')).toBe('gzip');
  });

  it('keeps hls.js out of every page’s first load: the watch and replay pages import it when a player starts', () => {
    const chunk = hlsChunk();
    // (esbuild lists a dynamically imported module as an entry too: the pages are the entries outside chunks/.)
    const pages = entries.map(([entry]) => entry).filter((entry) => !entry.includes('/chunks/'));
    expect(pages).toEqual(expect.arrayContaining(['public/build/watch.js', 'public/build/replay.js']));
    for (const entry of pages) expect(firstLoad(entry), entry).not.toContain(chunk);
    const dynamic = (entry: string) => firstLoad(entry).flatMap((file) => meta.outputs[file]!.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
    expect(dynamic('public/build/watch.js')).toContain(chunk);
    expect(dynamic('public/build/replay.js')).toContain(chunk);
  });
});
