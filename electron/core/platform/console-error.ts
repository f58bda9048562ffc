import type { ErrorCode } from '../../../shared/common/errors.ts';

/**
 * A failure a service wants the UI to see: a registry code and a sentence safe to
 * show (no secrets, no stack; a path only when it is
 * the operator's own file they must act on). Anything else a service throws becomes
 * `internal` at the router.
 */
export class ConsoleError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ConsoleError';
    this.code = code;
  }
}
