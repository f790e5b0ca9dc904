/**
 * The chat list's lines and the one rule for adding to it: the list never holds more than
 * MAX_LINES, and when lines leave the top a message among them makes "Load older messages"
 * offer it again. Pure (no DOM), so it is tested on its own.
 */
import type { MessageFrame } from '../../../src/contracts/chatFrames.ts';

export type ChatLine =
  | { readonly kind: 'message'; readonly key: string; readonly message: MessageFrame }
  | { readonly kind: 'notice'; readonly key: string; readonly text: string; readonly tone: 'notice' | 'system' };

/** Lines kept in the list; older ones leave it (they stay loadable with "Load older messages"). */
export const MAX_LINES = 500;

export interface Lines {
  readonly lines: readonly ChatLine[];
  /** Older messages may exist on the server (the "Load older messages" button). */
  readonly more: boolean;
}

export const messageLine = (message: MessageFrame): ChatLine => ({ kind: 'message', key: message.id, message });

/** `added` after the list (live messages, notices): the oldest lines leave when it is full. */
export function appendLines(list: Lines, added: readonly ChatLine[]): Lines {
  const next = [...list.lines, ...added];
  const over = next.length - MAX_LINES;
  if (over <= 0) return { lines: next, more: list.more };
  const dropped = next.slice(0, over);
  return { lines: next.slice(over), more: list.more || dropped.some((line) => line.kind === 'message') };
}

/**
 * An older page before the list: the reader is looking at the top, so when it is full the newest
 * lines leave (the newest messages come back with the next live message or a reload).
 */
export function prependLines(lines: readonly ChatLine[], added: readonly ChatLine[]): readonly ChatLine[] {
  return [...added, ...lines].slice(0, MAX_LINES);
}

/** Messages not yet shown, as lines (a reconnect's history repeats what the list has). */
export function newMessages(lines: readonly ChatLine[], messages: readonly MessageFrame[]): ChatLine[] {
  const shown = new Set(lines.map((line) => line.key));
  return messages.filter((message) => !shown.has(message.id)).map(messageLine);
}
