import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package.json above this file. Found by walking up, because this module runs from src/kit/
 * (tests), dist/kit/ (the server) and dist-lb/src/kit/ (the load balancer build) at different depths.
 */
function findPackageJson(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('package.json not found above src/kit/appInfo');
  }
}

/** Name and version from package.json, read once. */
const pkg = JSON.parse(readFileSync(findPackageJson(), 'utf8')) as { name: string; version: string };

export const APP_NAME: string = pkg.name;
export const APP_VERSION: string = pkg.version;
