import { readFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** esbuild's metafile (pages/build.ts writes it): each output's static and dynamic imports. */
interface Meta {
  outputs: Record<string, { entryPoint?: string; imports: Array<{ path: string; kind: string }> }>;
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

    const chunk = Object.keys(meta.outputs).find((file) => file.includes('/chunks/') && file.endsWith('.js'));
    if (chunk) {
      const cached = await fetch(`http://127.0.0.1:${server.port}/assets/${path.relative('public', chunk)}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(cached.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(cached.headers.get('content-encoding')).toBe('gzip');
    }
  });
});
