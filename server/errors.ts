/**
 * HTTP errors of the Factory API: one shape, `{error: {code, message, request_id}}`,
 * codes from the shared registry (shared/common/errors.ts). Stack traces and internal
 * messages never leave the process outside debug.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { ErrorCode, httpStatusOf } from '../shared/common/errors.ts';

/** A refusal with a stable code and a message safe to show to the client. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = httpStatusOf[code];
    this.headers = headers;
  }
}

/** Sends the standard error body. */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
): FastifyReply {
  return reply
    .code(httpStatusOf[code])
    .type('application/json; charset=utf-8')
    .send({ error: { code, message, request_id: request.id } });
}

function fromFastifyError(error: FastifyError): { code: ErrorCode; message: string } | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: ErrorCode.PayloadTooLarge, message: 'request body is larger than the limit' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: ErrorCode.BadRequest, message: 'unsupported content type: send application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: ErrorCode.BadRequest, message: 'request body is not valid JSON' };
    case 'FST_ERR_VALIDATION':
      return { code: ErrorCode.ValidationFailed, message: error.message };
    default:
      break;
  }
  if (error.statusCode === 413)
    return { code: ErrorCode.PayloadTooLarge, message: 'request body is larger than the limit' };
  if (error.statusCode === 429) return { code: ErrorCode.RateLimited, message: 'too many requests' };
  if (error.statusCode === 408) return { code: ErrorCode.Timeout, message: 'request timed out' };
  if (error.statusCode === 400 || error instanceof SyntaxError) {
    return { code: ErrorCode.BadRequest, message: 'malformed request' };
  }
  return undefined;
}

/** Installs the error and not-found handlers. */
export function installErrorHandlers(app: FastifyInstance, debug: boolean): void {
  app.setErrorHandler((error: FastifyError | ApiError | ZodError, request, reply) => {
    if (error instanceof ApiError) {
      reply.headers(error.headers);
      return sendError(request, reply, error.code, error.message);
    }
    if (error instanceof ZodError) {
      const issue = error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return sendError(
        request,
        reply,
        ErrorCode.ValidationFailed,
        `${where}${issue?.message ?? 'invalid request'}`,
      );
    }
    const known = fromFastifyError(error);
    if (known) {
      const headers = (error as { headers?: Record<string, string> }).headers;
      if (headers) reply.headers(headers);
      return sendError(request, reply, known.code, known.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(request, reply, ErrorCode.Internal, debug ? String(error.message) : 'internal error');
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, ErrorCode.NotFound, 'no such route'));
}
