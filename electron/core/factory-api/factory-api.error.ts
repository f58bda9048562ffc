import type { ErrorCode } from '../../../shared/common/errors.ts';
import { ConsoleError } from '../platform/console-error.ts';

/**
 * A Factory API failure: the registry code plus what helps an operator find it in the server's log.
 * The class alone, without the schema that reads an error body (error-response.ts), so that
 * the download thread, which only throws and passes these, loads no zod.
 */
export class FactoryApiError extends ConsoleError {
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** The request id both sides logged. */
  readonly requestId: string | undefined;
  /** Seconds the server asked the client to wait (`Retry-After` of a 429 or 503). */
  readonly retryAfterS: number | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    details: { status?: number; requestId?: string; retryAfterS?: number },
  ) {
    super(code, message);
    this.name = 'FactoryApiError';
    this.status = details.status;
    this.requestId = details.requestId;
    this.retryAfterS = details.retryAfterS;
  }
}
