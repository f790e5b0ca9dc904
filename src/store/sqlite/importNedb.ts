import { statSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from '../../kit/createLogger.js';
import { logNedbImport } from './logNedbImport.js';
import { readMeta, writeMeta } from './meta.js';
import { checkBan, checkMessage, checkRevocation, checkRoom, checkSettings } from './nedbDocuments.js';
import { readNedbFile, type DocumentCheck, type NedbFileContent } from './nedbFile.js';
import { findNedbFiles, moveAside, type NedbFiles } from './nedbFiles.js';
import { inTransaction } from './transaction.js';
import type { NedbImportReport } from './nedbImportReport.js';
import { writeNedbRecords, type NedbCounts } from './writeNedbRecords.js';

/** The meta key that records the import (when, how much): set in the import's own transaction. */
export const NEDB_IMPORT_KEY = 'nedb_import';

const NOTHING: NedbCounts = { rooms: 0, messages: 0, bans: 0, settings: 0, revocations: 0 };

/**
 * Brings the previous version's NeDB files in DATA_DIR into the database, once: everything in
 * one transaction together with the record that it happened, then the files are renamed (never
 * deleted). A kill before the commit leaves nothing written and the files in place: the next
 * start imports again. A kill between the commit and the renames: the next start sees the record
 * and only renames. Resolves undefined when there are no such files.
 */
export async function importNedbFiles(db: DatabaseSync, dir: string, logger?: Logger): Promise<NedbImportReport | undefined> {
  const started = performance.now();
  const files = findNedbFiles(dir);
  const present = Object.values(files).flatMap((found) => found.present);
  if (present.length === 0) return undefined;
  const moveAll = () => present.map((from) => ({ from, to: moveAside(from) }));
  const elapsed = () => Math.round(performance.now() - started);

  if (readMeta(db, NEDB_IMPORT_KEY) !== undefined) {
    const report: NedbImportReport = { imported: false, counts: NOTHING, problems: [], problemCount: 0, renamed: moveAll(), ms: elapsed() };
    if (logger) logNedbImport(logger, report);
    return report;
  }

  const bytes = present.reduce((sum, file) => sum + statSync(file).size, 0);
  logger?.info({ files: present, bytes }, "importing the previous version's NeDB files (once; a large history takes a while)");
  const rooms = await read(files.rooms, checkRoom);
  const messages = await read(files.messages, checkMessage);
  const bans = await read(files.bans, checkBan);
  const settings = await read(files.settings, checkSettings);
  const revocations = await read(files.revocations, checkRevocation);
  const contents = [rooms, messages, bans, settings, revocations];
  const problemCount = contents.reduce((sum, content) => sum + content.problemCount, 0);
  const records = { rooms: rooms.records, messages: messages.records, bans: bans.records, settings: settings.records, revocations: revocations.records };

  logger?.info({ documents: contents.reduce((sum, content) => sum + content.records.length, 0) }, 'NeDB files read: writing them in one transaction');
  const counts = inTransaction(db, () => {
    const added = writeNedbRecords(db, records);
    writeMeta(db, NEDB_IMPORT_KEY, { importedAt: Date.now(), files: present, counts: added, problems: problemCount });
    return added;
  });

  const report: NedbImportReport = {
    imported: true,
    counts,
    problems: contents.flatMap((content) => content.problems),
    problemCount,
    renamed: moveAll(),
    ms: elapsed(),
  };
  if (logger) logNedbImport(logger, report);
  return report;
}

async function read<T>(files: NedbFiles | undefined, check: (doc: Record<string, unknown>) => DocumentCheck<T>): Promise<NedbFileContent<T>> {
  return files ? readNedbFile(files.source, check) : { records: [], problems: [], problemCount: 0 };
}
