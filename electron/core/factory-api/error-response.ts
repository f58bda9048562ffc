/**
 * A non-2xx answer of the Factory API read into a {@link FactoryApiError}: the server's own
 * error body when it matches the contract, or a code from the status.
 */
import { errorResponseSchema } from '../../../shared/common/api/errors.ts';
import { ErrorCode, httpStatusOf } from '../../../shared/common/errors.ts';
import { FactoryApiError } from './factory-api.error.ts';

const codeByStatus = new Map<number, ErrorCode>(
  [
    ErrorCode.BadRequest,
    ErrorCode.Unauthenticated,
    ErrorCode.Forbidden,
    ErrorCode.NotFound,
    ErrorCode.Conflict,
    ErrorCode.PayloadTooLarge,
    ErrorCode.RateLimited,
    ErrorCode.Unavailable,
    ErrorCode.Timeout,
    ErrorCode.Internal,
  ].map((code) => [httpStatusOf[code], code]),
);

/** `Retry-After` in seconds (delta-seconds or an HTTP date); undefined when absent or malformed. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d{1,6}$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** A non-2xx answer as a FactoryApiError: the server's own error body, or a code from the status. */
export function errorFromResponse(
  status: number,
  json: unknown,
  requestId: string | undefined,
  retryAfter: string | null = null,
): FactoryApiError {
  const retryAfterS = retryAfterSeconds(retryAfter);
  const parsed = errorResponseSchema.safeParse(json);
  if (parsed.success) {
    return new FactoryApiError(parsed.data.error.code, parsed.data.error.message, {
      status,
      requestId: parsed.data.error.request_id ?? requestId,
      ...(retryAfterS !== undefined ? { retryAfterS } : {}),
    });
  }
  const code = codeByStatus.get(status) ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.BadRequest);
  return new FactoryApiError(code, `The Factory API answered HTTP ${status}.`, {
    status,
    requestId,
    ...(retryAfterS !== undefined ? { retryAfterS } : {}),
  });
}
