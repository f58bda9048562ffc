import type { ErrorCode } from '../../shared/common/errors.ts';

/**
 * A failure a service wants the UI to see: a registry code and a sentence safe to
 * show (no secrets, no paths, no stack). Anything else a service throws becomes
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

/** The answer of a call whose service is not built yet: honest and typed. */
export function notAvailableYet(what: string): never {
  throw new ConsoleError('unavailable', `${what} is not available yet in this version of the console`);
}
