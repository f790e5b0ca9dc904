import type { NedbProblem } from './nedbFile.js';
import type { NedbCounts } from './writeNedbRecords.js';

/** What one start did with the previous version's NeDB files (logged, and kept on the store). */
export interface NedbImportReport {
  /** false: an earlier start imported these files and was stopped before renaming them; now they were only renamed. */
  readonly imported: boolean;
  /** Rows added, by kind. */
  readonly counts: NedbCounts;
  /** Lines skipped, with file and line (at most 1,000 per file). */
  readonly problems: readonly NedbProblem[];
  readonly problemCount: number;
  readonly renamed: ReadonlyArray<{ readonly from: string; readonly to: string }>;
  readonly ms: number;
}
