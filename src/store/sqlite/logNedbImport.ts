import type { Logger } from '../../kit/createLogger.js';
import type { NedbImportReport } from './nedbImportReport.js';

/** Problems logged one per line; the rest are counted (the report holds more). */
const PROBLEM_LINES = 20;

/** Says what the NeDB import did: counts, renamed files, and each skipped line with its file and line number. */
export function logNedbImport(logger: Logger, report: NedbImportReport): void {
  const renamed = report.renamed.map(({ from, to }) => `${from} -> ${to}`);
  if (!report.imported) {
    logger.info({ renamed }, "the previous version's NeDB files had been imported by an earlier start: renamed them");
    return;
  }
  logger.info({ ...report.counts, skipped: report.problemCount, renamed, ms: report.ms }, "imported the previous version's NeDB files");
  for (const { file, line, reason } of report.problems.slice(0, PROBLEM_LINES)) {
    logger.warn({ file, line }, `${file}:${line}: ${reason}; line skipped`);
  }
  const unlisted = report.problemCount - Math.min(report.problems.length, PROBLEM_LINES);
  if (unlisted > 0) logger.warn({ skipped: unlisted }, `${unlisted} more NeDB lines skipped (not listed one by one)`);
}
