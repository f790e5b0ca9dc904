import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Constant-time key comparison against a key's digest: both sides are hashed, so the comparison
 * takes the same time whatever the given key's length, and timingSafeEqual never sees unequal lengths.
 */
function matches(given: string | undefined, expectedDigest: Buffer): boolean {
  return typeof given === 'string' && given.length > 0 && timingSafeEqual(digest(given), expectedDigest);
}

/** The key from `X-API-Key`, or from `Authorization: Bearer` (what Prometheus can send). */
function givenKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return bearer?.[1];
}

/** A fastify onRequest/preHandler hook that demands `X-API-Key: <expected>` (or the same as a Bearer token). */
export function requireApiKey(expected: string) {
  // An empty key would be a process that was never given one (a room worker): accept nothing.
  if (expected.length === 0) throw new Error('requireApiKey needs a key');
  const expectedDigest = digest(expected);
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const given = givenKey(request);
    if (!matches(given, expectedDigest)) {
      throw new ApiError('UNAUTHORIZED', given ? 'Wrong X-API-Key' : 'Missing X-API-Key header');
    }
  };
}
