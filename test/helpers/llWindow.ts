import type { LlPart, LlPendingSegment, LlSegment, LlWindow } from '../../src/hls/ll/llTypes.js';

/** A live window as the packager would fill it, for the pure playlist tests. */
export interface WindowShape {
  readonly firstMsn?: number;
  /** Complete segments. */
  readonly segments?: number;
  readonly partsPerSegment?: number;
  readonly partTarget?: number;
  readonly targetDuration?: number;
  /** Parts of the segment being written; null: no pending segment. */
  readonly pendingParts?: number | null;
  /** Segments (msn) that follow a new producer: a discontinuity and the next init. */
  readonly discontinuityAt?: readonly number[];
  readonly discontinuitySequence?: number;
  readonly ended?: boolean;
  /** Wall clock of the first segment. */
  readonly start?: number;
}

export const START = Date.parse('2026-03-01T12:00:00.000Z');

export function partsOf(msn: number, count: number, duration: number): LlPart[] {
  return Array.from({ length: count }, (_, index) => ({ uri: `part${msn}.${index}.m4s`, duration, independent: index === 0 }));
}

export function llWindow(shape: WindowShape = {}): LlWindow {
  const firstMsn = shape.firstMsn ?? 0;
  const count = shape.segments ?? 4;
  const perSegment = shape.partsPerSegment ?? 5;
  const partTarget = shape.partTarget ?? 0.2;
  const discontinuityAt = new Set(shape.discontinuityAt ?? []);
  const ended = shape.ended ?? false;
  let init = 0;
  let at = shape.start ?? START;
  const mapFor = (msn: number): string => {
    if (discontinuityAt.has(msn)) init += 1;
    return `init${init}.mp4`;
  };
  const segments: LlSegment[] = [];
  for (let msn = firstMsn; msn < firstMsn + count; msn += 1) {
    const parts = partsOf(msn, perSegment, partTarget);
    const duration = perSegment * partTarget;
    segments.push({ msn, uri: `seg${msn}.m4s`, duration, parts, programDateTime: at, discontinuity: discontinuityAt.has(msn), map: mapFor(msn) });
    at += duration * 1000;
  }
  const pendingParts = ended ? null : shape.pendingParts === undefined ? 2 : shape.pendingParts;
  const nextMsn = firstMsn + count;
  const pending: LlPendingSegment | null = pendingParts === null ? null : {
    msn: nextMsn,
    parts: partsOf(nextMsn, pendingParts, partTarget),
    map: mapFor(nextMsn),
    discontinuity: discontinuityAt.has(nextMsn),
    programDateTime: pendingParts > 0 ? at : null,
  };
  return {
    partTarget,
    targetDuration: shape.targetDuration ?? Math.max(1, Math.ceil(perSegment * partTarget - 1e-9)),
    segments,
    discontinuitySequence: shape.discontinuitySequence ?? 0,
    pending,
    preloadHint: ended || pending === null ? null : `part${nextMsn}.${pending.parts.length}.m4s`,
    ended,
  };
}
