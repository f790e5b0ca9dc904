/**
 * The watch page's hls.js settings (pages/src/player/hlsConfig.ts) as the plain ES module
 * bench/browser/hlsViewer.html imports (`./hlsConfig.js`): the peers' viewers play with the
 * same settings as chatserver's own page. The file imports only types, so stripping them is all.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { transformSync } from 'esbuild';
import { ROOT } from './targets.js';

export function writeHlsConfigModule(dir: string): void {
  const source = readFileSync(path.join(ROOT, 'pages/src/player/hlsConfig.ts'), 'utf8');
  writeFileSync(path.join(dir, 'hlsConfig.js'), transformSync(source, { loader: 'ts', format: 'esm' }).code);
}
