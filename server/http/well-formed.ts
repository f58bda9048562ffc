/**
 * A backstop behind the schemas (docs/SECURITY.md §Threat model and tests): a JSON body or
 * query string with a lone UTF-16 surrogate anywhere — a member name, a value the route's
 * schema passes through — is refused with 400 before the route runs, so no such string
 * reaches a row, a signature or the audit log.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../../shared/common/errors.ts';
import { WELL_FORMED_MESSAGE, jsonIsWellFormed } from '../../shared/common/text.ts';
import { ApiError } from '../errors.ts';

/** Bodies that are streams (uploads) or bytes are left to their routes. */
function isJsonValue(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return typeof body === 'string';
  if (Buffer.isBuffer(body) || ArrayBuffer.isView(body)) return false;
  return (
    Array.isArray(body) ||
    Object.getPrototypeOf(body) === Object.prototype ||
    Object.getPrototypeOf(body) === null
  );
}

export function refuseIllFormedText(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const { body, query, params } = request;
    if (
      (isJsonValue(body) && !jsonIsWellFormed(body)) ||
      !jsonIsWellFormed(query) ||
      !jsonIsWellFormed(params)
    ) {
      done(new ApiError(ErrorCode.ValidationFailed, `request ${WELL_FORMED_MESSAGE}`));
      return;
    }
    done();
  });
}
