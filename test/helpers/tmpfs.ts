import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A tmpfs mounted on a fresh temporary folder, or why it could not be. */
export type Mounted = { readonly dir: string; unmount(): void } | { readonly dir?: undefined; readonly reason: string };

/**
 * Mounts a tmpfs (`options` as for `mount -o`, e.g. `size=12m` or `ro,size=1m`) on a new
 * temporary folder. Needs root (or CAP_SYS_ADMIN); says why when it cannot, for a skip.
 */
export function mountTmpfs(options: string): Mounted {
  if (process.getuid?.() !== 0) return { reason: 'mounting a tmpfs needs root' };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatserver-tmpfs-'));
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (mount.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { reason: `mount -t tmpfs failed: ${(mount.stderr || mount.error?.message || '').trim()}` };
  }
  return {
    dir,
    unmount() {
      const umount = spawnSync('umount', [dir], { encoding: 'utf8' });
      if (umount.status !== 0) throw new Error(`umount ${dir} failed: ${umount.stderr.trim()}`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
