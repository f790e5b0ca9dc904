import { describe, expect, it } from 'vitest';
import type { RecordingRecord } from '../../src/contracts/records.js';
import { recordingsToDelete } from '../../src/primary/RecordingRetention.js';

const DAY = 86_400_000;
const NOW = 100 * DAY;
const r = (id: string, startedAt: number, bytes: number, ended = true): RecordingRecord => ({ room: 'a', id, startedAt, endedAt: ended ? startedAt + 1000 : null, duration: 1, bytes });
const ids = (list: ReturnType<typeof recordingsToDelete>) => list.map((entry) => entry.recording.id);
const none = () => false;

describe('recording retention', () => {
  const all = [r('old', NOW - 40 * DAY, 100), r('mid', NOW - 20 * DAY, 300), r('new', NOW - DAY, 500)];

  it('deletes what is older than the retention days; 0 keeps everything', () => {
    expect(ids(recordingsToDelete(all, { retentionDays: 30, maxBytes: 0, now: NOW }, none))).toEqual(['old']);
    expect(ids(recordingsToDelete(all, { retentionDays: 0, maxBytes: 0, now: NOW }, none))).toEqual([]);
  });

  it('deletes the oldest first until the recordings fit the disk budget', () => {
    expect(ids(recordingsToDelete(all, { retentionDays: 0, maxBytes: 800, now: NOW }, none))).toEqual(['old']);
    expect(ids(recordingsToDelete(all, { retentionDays: 0, maxBytes: 799, now: NOW }, none))).toEqual(['old', 'mid']);
    expect(recordingsToDelete(all, { retentionDays: 30, maxBytes: 500, now: NOW }, none).map((entry) => entry.why)).toEqual([expect.stringMatching(/RETENTION_DAYS/), expect.stringMatching(/MAX_BYTES/)]);
  });

  it('never deletes the recording being made, though its bytes count', () => {
    const live = [r('recording', NOW - 50 * DAY, 10_000, false), ...all];
    expect(ids(recordingsToDelete(live, { retentionDays: 30, maxBytes: 1, now: NOW }, none))).toEqual(['old', 'mid', 'new']);
    expect(ids(recordingsToDelete(all, { retentionDays: 30, maxBytes: 0, now: NOW }, (x) => x.id === 'old'))).toEqual([]);
  });
});
