import { readFileSync } from 'node:fs';

/** Name and version from package.json, read once (this file sits one level below the root). */
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

export const APP_NAME: string = pkg.name;
export const APP_VERSION: string = pkg.version;
