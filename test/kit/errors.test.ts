import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError, ERRORS } from '../../src/kit/errors.js';

describe('error catalog', () => {
  it('is documented code for code, status for status, in docs/api.md', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/api.md'), 'utf8');
    const documented = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(Object.entries(ERRORS).map(([code, e]) => [code, e.status])));
  });

  it('gives ApiError the catalog status and message', () => {
    const error = new ApiError('ROOM_NOT_FOUND');
    expect(error.status).toBe(404);
    expect(error.message).toBe('No such room');
    expect(new ApiError('BAD_REQUEST', 'custom').message).toBe('custom');
  });
});
