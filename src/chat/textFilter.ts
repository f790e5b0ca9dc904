import type { BannedWordsAction } from '../contracts/records.js';

export interface WordFilter {
  /** The text with banned words masked, or null when the action is `refuse` and a word matched. */
  apply(text: string): { text: string; matched: boolean };
}

function escapeRegExp(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Builds a filter from the cached banned-word list: whole words, any case. Built once per
 * cache snapshot, not per message.
 */
export function buildWordFilter(words: readonly string[], action: BannedWordsAction): WordFilter & { action: BannedWordsAction } {
  const cleaned = words.map((w) => w.trim()).filter((w) => w.length > 0);
  if (cleaned.length === 0) return { action, apply: (text) => ({ text, matched: false }) };
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${cleaned.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
  return {
    action,
    apply(text) {
      let matched = false;
      const masked = text.replace(pattern, (word) => {
        matched = true;
        return '*'.repeat([...word].length);
      });
      return { text: masked, matched };
    },
  };
}
