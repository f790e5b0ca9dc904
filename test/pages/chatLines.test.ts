/**
 * The chat list's one rule for additions (pages/src/chat/chatLines.ts): capped at MAX_LINES at
 * both ends, and "Load older messages" offered again when messages leave the top.
 */
import { describe, expect, it } from 'vitest';
import type { MessageFrame } from '../../src/contracts/chatFrames.js';
import { appendLines, MAX_LINES, messageLine, prependLines, type ChatLine } from '../../pages/src/chat/chatLines.js';

const message = (n: number): MessageFrame => ({ type: 'message', id: `m${n}`, user: 'u1', name: 'Ann', text: `line ${n}`, ts: n });
const messages = (from: number, count: number): ChatLine[] => Array.from({ length: count }, (_, i) => messageLine(message(from + i)));
const noticeLine = (n: number): ChatLine => ({ kind: 'notice', key: `n${n}`, text: `notice ${n}`, tone: 'notice' });

describe('chat list additions', () => {
  it('appending past the cap drops the oldest lines and offers older messages again', () => {
    const full = { lines: messages(1, MAX_LINES), more: false };
    const next = appendLines(full, messages(MAX_LINES + 1, 3));
    expect(next.lines).toHaveLength(MAX_LINES);
    expect(next.lines[0]?.key).toBe('m4');
    expect(next.more).toBe(true);
  });

  it('notices count towards the cap too', () => {
    const full = { lines: messages(1, MAX_LINES), more: false };
    const next = appendLines(full, [noticeLine(1), noticeLine(2)]);
    expect(next.lines).toHaveLength(MAX_LINES);
    expect(next.lines.at(-1)?.key).toBe('n2');
    expect(next.more).toBe(true);
  });

  it('dropping only notices does not claim older messages exist', () => {
    const full = { lines: [noticeLine(1), ...messages(1, MAX_LINES - 1)], more: false };
    expect(appendLines(full, [noticeLine(2)])).toMatchObject({ more: false });
  });

  it('below the cap nothing is dropped and `more` is kept', () => {
    const next = appendLines({ lines: messages(1, 10), more: false }, messages(11, 2));
    expect(next.lines).toHaveLength(12);
    expect(next.more).toBe(false);
  });

  it('an older page before a full list keeps the cap, dropping the newest lines', () => {
    const lines = prependLines(messages(101, MAX_LINES), messages(1, 100));
    expect(lines).toHaveLength(MAX_LINES);
    expect(lines[0]?.key).toBe('m1');
    expect(lines.at(-1)?.key).toBe(`m${MAX_LINES}`);
  });
});
