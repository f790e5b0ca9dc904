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

/** End-to-end tests run the compiled server; build it when the sources are newer. */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  const entry = path.join(root, 'dist/main.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newest(path.join(root, 'src'))) return;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
