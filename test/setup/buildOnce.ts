import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Newest modification time under a folder. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** End-to-end tests run the compiled server and load balancer, page tests the built pages; build each when its sources are newer. */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  const builds = [
    { entry: 'dist/main.js', sources: ['src'], project: 'tsconfig.build.json' },
    { entry: 'dist-lb/loadbalancer/src/main.js', sources: ['src', 'loadbalancer/src'], project: 'tsconfig.lb.json' },
  ];
  const pages = { entry: path.join(root, 'public/build/meta.json'), sources: ['pages/src', 'src/contracts'] };
  for (const build of builds) {
    const entry = path.join(root, build.entry);
    const latest = Math.max(...build.sources.map((dir) => newest(path.join(root, dir))));
    if (existsSync(entry) && statSync(entry).mtimeMs >= latest) continue;
    execFileSync('npx', ['tsc', '-p', build.project], { cwd: root, stdio: 'inherit' });
  }
  const pagesLatest = Math.max(...pages.sources.map((dir) => newest(path.join(root, dir))));
  if (!existsSync(pages.entry) || statSync(pages.entry).mtimeMs < pagesLatest) execFileSync(process.execPath, ['pages/build.ts'], { cwd: root, stdio: 'inherit' });
}
