import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from './createLogger.js';
import { ApiError, errorBody, type ErrorCode } from './errors.js';

/** Fastify's own error codes that mean the client sent something wrong, and ours for them. */
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_VALIDATION: 'BAD_REQUEST',
};

/**
 * Every error leaves as `{"error":{"code","message"}}` with the catalog's status. `translate`
 * turns the application's own errors (the chat server's domain errors) into API errors; what it
 * leaves undefined is handled here.
 */
export function installErrorHandling(app: FastifyInstance, logger: Logger, translate: (error: unknown) => ApiError | undefined = () => undefined): void {
  app.setErrorHandler((thrown: FastifyError | ApiError, request, reply) => {
    const error = translate(thrown) ?? thrown;
    if (error instanceof ApiError) {
      return reply.code(error.status).send(errorBody(error.code, error.message));
    }
    const mapped = error.code ? FRAMEWORK_CODES[error.code] : undefined;
    if (mapped) {
      return reply.code(error.statusCode ?? 400).send(errorBody(mapped, error.message));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send(errorBody('BAD_REQUEST', error.message));
    }
    logger.error({ err: error, method: request.method, url: request.url }, 'request failed');
    return reply.code(500).send(errorBody('INTERNAL', 'Internal server error'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('NOT_FOUND', `No route ${request.method} ${request.url.split('?', 1)[0]}`));
  });

  app.addHook('onResponse', async (request, reply) => {
    logger.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
}
