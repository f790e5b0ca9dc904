import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DOMAIN_ERRORS, DomainError, type DomainErrorCode } from '../../src/contracts/domainErrors.js';
import { apiErrorFor } from '../../src/http/domainErrors.js';
import { installErrorHandling } from '../../src/kit/errorHandling.js';

/** What each domain error answered as when the core threw ApiErrors itself: status, code and message, byte for byte. */
const ANSWERS: Record<DomainErrorCode, { status: number; code: string; message: string }> = {
  ROOM_NOT_FOUND: { status: 404, code: 'ROOM_NOT_FOUND', message: 'No such room' },
  USER_NOT_FOUND: { status: 404, code: 'USER_NOT_FOUND', message: 'That user is not in the room' },
  STREAM_NOT_LIVE: { status: 409, code: 'STREAM_NOT_LIVE', message: 'Nobody is streaming in this room' },
  NO_STORED_HISTORY: { status: 404, code: 'ROOM_NOT_FOUND', message: 'No such room, and no stored messages under that name' },
  NO_PORTS_AVAILABLE: { status: 503, code: 'NO_PORTS_AVAILABLE', message: 'Every port in ROOM_PORTS is taken' },
  WORKER_UNAVAILABLE: { status: 503, code: 'WORKER_UNAVAILABLE', message: 'No room worker is ready; try again shortly' },
  ROOM_NOT_STARTED: { status: 500, code: 'INTERNAL', message: 'Room could not start: what the worker said' },
  STORE_UNAVAILABLE: { status: 503, code: 'STORE_UNAVAILABLE', message: 'The data store did not answer; try again shortly' },
  RESTART_RUNNING: { status: 409, code: 'CONFLICT', message: 'A rolling restart is already running' },
  BACKUP_RUNNING: { status: 409, code: 'CONFLICT', message: 'A backup is already running' },
  BACKUP_UNSUPPORTED: { status: 501, code: 'BACKUP_UNSUPPORTED', message: 'The MongoDB store is backed up with mongodump, not by this server' },
  BACKUP_FAILED: { status: 500, code: 'BACKUP_FAILED', message: 'The backup could not be written: what the worker said' },
  RECORDING_NOT_FOUND: { status: 404, code: 'RECORDING_NOT_FOUND', message: 'No such recording in this room' },
  RECORDING_IN_PROGRESS: { status: 409, code: 'RECORDING_IN_PROGRESS', message: 'The recording is still being made: stop the stream first' },
  VIEWER_TOKEN_REQUIRED: { status: 401, code: 'TOKEN_REQUIRED', message: 'This room has no anonymous viewers: send a join token (Authorization: Bearer ...)' },
  VIEWER_TOKEN_REFUSED: { status: 401, code: 'TOKEN_INVALID', message: 'core detail for VIEWER_TOKEN_REFUSED' },
  VIEWER_BANNED: { status: 403, code: 'FORBIDDEN', message: 'You are banned from this room' },
  WEBHOOK_NOT_FOUND: { status: 404, code: 'WEBHOOK_NOT_FOUND', message: 'No such webhook endpoint' },
  WEBHOOK_URL_INVALID: { status: 400, code: 'WEBHOOK_URL_INVALID', message: 'core detail for WEBHOOK_URL_INVALID' },
  WEBHOOK_URL_FORBIDDEN: { status: 400, code: 'WEBHOOK_URL_FORBIDDEN', message: 'core detail for WEBHOOK_URL_FORBIDDEN' },
  WEBHOOK_URL_UNRESOLVED: { status: 400, code: 'WEBHOOK_URL_UNRESOLVED', message: 'core detail for WEBHOOK_URL_UNRESOLVED' },
};

const codes = Object.keys(DOMAIN_ERRORS) as DomainErrorCode[];
/** A domain error as the core throws it: its own words for the log, the failure under it as the cause. */
const thrown = (code: DomainErrorCode) => new DomainError(code, `core detail for ${code}`, { cause: new Error('what the worker said') });

describe('domain errors -> HTTP answers', () => {
  it('maps every domain code, with the status, catalog code and message the API has always given', () => {
    expect(Object.keys(ANSWERS).sort()).toEqual([...codes].sort());
    for (const code of codes) {
      const answer = apiErrorFor(thrown(code));
      expect({ status: answer?.status, code: answer?.code, message: answer?.message }, code).toEqual(ANSWERS[code]);
    }
  });

  it('leaves other errors to the error handler', () => {
    expect(apiErrorFor(new Error('boom'))).toBeUndefined();
    expect(apiErrorFor(Object.assign(new Error('x'), { code: 'ROOM_NOT_FOUND' }))).toBeUndefined();
  });

  it('answers through the error handler with the JSON error envelope, unlogged; anything else is a logged 500', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });
    const app = Fastify();
    installErrorHandling(app, logger, apiErrorFor);
    app.get('/domain/:code', async (request) => {
      throw thrown((request.params as { code: DomainErrorCode }).code);
    });
    app.get('/bug', async () => {
      throw new Error('a bug');
    });
    for (const code of codes) {
      const reply = await app.inject({ method: 'GET', url: `/domain/${code}` });
      expect(reply.statusCode).toBe(ANSWERS[code].status);
      expect(reply.body).toBe(JSON.stringify({ error: { code: ANSWERS[code].code, message: ANSWERS[code].message } }));
    }
    expect(lines).toEqual([]);
    const bug = await app.inject({ method: 'GET', url: '/bug' });
    expect(bug.statusCode).toBe(500);
    expect(bug.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    expect(lines).toHaveLength(1);
    await app.close();
  });
});
