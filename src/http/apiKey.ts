import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Constant-time key comparison. Both sides are hashed first so the comparison takes the same
 * time whatever the given key's length, and timingSafeEqual never sees unequal lengths.
 */
export function keyMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

/** A fastify onRequest/preHandler hook that demands `X-API-Key: <expected>`. */
export function requireApiKey(expected: string) {
  const expectedDigest = digest(expected);
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const given = request.headers['x-api-key'];
    if (typeof given !== 'string' || given.length === 0 || !timingSafeEqual(digest(given), expectedDigest)) {
      throw new ApiError('UNAUTHORIZED', given ? 'Wrong X-API-Key' : 'Missing X-API-Key header');
    }
  };
}
