import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** A line of an NeDB file that was not imported, and why. */
export interface NedbProblem {
  readonly file: string;
  /** 1-based, as an editor shows it. */
  readonly line: number;
  readonly reason: string;
}

/** What checking a document answers: the record to keep, or why the document is refused. */
export type DocumentCheck<T> = { readonly ok: true; readonly record: T } | { readonly ok: false; readonly reason: string };

export interface NedbFileContent<T> {
  /** The live documents, checked: the last version of each `_id`, deleted ones gone. */
  readonly records: T[];
  /** The first MAX_PROBLEMS_KEPT problems, in line order. */
  readonly problems: NedbProblem[];
  /** Every problem, counted (a file of garbage would otherwise fill memory with reports). */
  readonly problemCount: number;
}

const MAX_PROBLEMS_KEPT = 1_000;

type Line =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'document'; readonly id: string; readonly doc: Record<string, unknown> }
  | { readonly kind: 'deleted'; readonly id: string }
  | { readonly kind: 'corrupt'; readonly reason: string };

/**
 * Reads an NeDB datafile the way NeDB loaded it, without NeDB: one JSON document per line; an
 * update appends the whole new document under the same `_id` (the last line wins); a delete
 * appends `{"$$deleted":true,"_id":...}`; index lines (`$$indexCreated`, `$$indexRemoved`) hold
 * no data. Streamed line by line: a file NeDB never got to compact can be hundreds of MB.
 * A line that does not parse (the half-written last line of a killed server) or whose document
 * fails `check` is reported and skipped, as NeDB skipped a corrupt line: an earlier version of
 * that document, if any, stays.
 */
export async function readNedbFile<T>(file: string, check: (doc: Record<string, unknown>) => DocumentCheck<T>): Promise<NedbFileContent<T>> {
  const live = new Map<string, T>();
  const problems: NedbProblem[] = [];
  let problemCount = 0;
  const report = (line: number, reason: string) => {
    problemCount += 1;
    if (problems.length < MAX_PROBLEMS_KEPT) problems.push({ file, line, reason });
  };
  let number = 0;
  for await (const text of createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    number += 1;
    const line = parseLine(text);
    if (line.kind === 'corrupt') report(number, line.reason);
    else if (line.kind === 'deleted') live.delete(line.id);
    else if (line.kind === 'document') {
      const checked = check(line.doc);
      if (checked.ok) live.set(line.id, checked.record);
      else report(number, checked.reason);
    }
  }
  return { records: [...live.values()], problems, problemCount };
}

function parseLine(text: string): Line {
  if (text.trim() === '') return { kind: 'nothing' };
  let value: unknown;
  try {
    // The reviver costs time on every value: only lines that hold a date get it.
    value = text.includes('"$$date"') ? JSON.parse(text, reviveDate) : JSON.parse(text);
  } catch (error) {
    return { kind: 'corrupt', reason: `not a whole JSON document, half-written or damaged (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'corrupt', reason: 'not a JSON object' };
  const doc = value as Record<string, unknown>;
  if (typeof doc._id !== 'string') {
    if ('$$indexCreated' in doc || '$$indexRemoved' in doc) return { kind: 'nothing' };
    return { kind: 'corrupt', reason: 'no _id: not an NeDB document' };
  }
  if (doc.$$deleted === true) return { kind: 'deleted', id: doc._id };
  return { kind: 'document', id: doc._id, doc };
}

/** NeDB wrote a Date as `{"$$date": epochMs}`; the store keeps times as epoch milliseconds. */
function reviveDate(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && '$$date' in value) {
    const date = (value as { $$date: unknown }).$$date;
    if (typeof date === 'number') return date;
  }
  return value;
}
