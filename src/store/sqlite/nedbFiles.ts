import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';

export const NEDB_KINDS = ['rooms', 'messages', 'bans', 'settings', 'revocations'] as const;
export type NedbKind = (typeof NEDB_KINDS)[number];

/** One kind's files from the previous version found in DATA_DIR. */
export interface NedbFiles {
  /** The file NeDB would have loaded. */
  readonly source: string;
  /** Every file of this kind present, moved aside once imported. */
  readonly present: readonly string[];
}

/** What an imported file is renamed to (plus `.1`, `.2`... when that name is taken). */
export const IMPORTED_SUFFIX = '.imported';

/**
 * The previous version's files in `dir`, by kind. NeDB rewrote a file by writing `<name>~` and
 * renaming it over `<name>`; at load it took `<name>`, or `<name>~` when a crash came between
 * the two (a first compaction). The same rule picks the source here.
 */
export function findNedbFiles(dir: string): Partial<Record<NedbKind, NedbFiles>> {
  const found: Partial<Record<NedbKind, NedbFiles>> = {};
  for (const kind of NEDB_KINDS) {
    const file = path.join(dir, `${kind}.db`);
    const present = [file, `${file}~`].filter((candidate) => existsSync(candidate));
    if (present.length > 0) found[kind] = { source: present[0]!, present };
  }
  return found;
}

/** Renames an imported file to a name no other file has (never over one, never deleting). Returns the new path. */
export function moveAside(file: string): string {
  let target = `${file}${IMPORTED_SUFFIX}`;
  for (let n = 1; existsSync(target); n++) target = `${file}${IMPORTED_SUFFIX}.${n}`;
  renameSync(file, target);
  return target;
}
