import { describe, expect, it } from 'vitest';
import { closeReason } from '../../src/chat/closeReason.js';

describe('closeReason', () => {
  it('keeps a reason that fits', () => {
    expect(closeReason('token revoked')).toBe('token revoked');
    expect(closeReason('x'.repeat(123))).toHaveLength(123);
  });

  it('cuts at whole characters within 123 bytes of UTF-8, whatever the script', () => {
    for (const text of ['x'.repeat(200), 'Ж'.repeat(100), '信用不足'.repeat(40), '🙂'.repeat(40), `a${'Ж'.repeat(80)}`]) {
      const cut = closeReason(text);
      expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
      expect(text.startsWith(cut)).toBe(true);
      // Nothing more would fit: the next character would pass the limit.
      const next = [...text.slice(cut.length)][0]!;
      expect(Buffer.byteLength(cut + next)).toBeGreaterThan(123);
      expect(cut).not.toMatch(/[\uD800-\uDBFF]$/);
    }
  });
});
