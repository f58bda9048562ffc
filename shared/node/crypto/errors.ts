import { ErrorCode } from '../../common/errors.ts';

/**
 * The one error for every failure to authenticate or decrypt a container, an
 * envelope or a secret box: a bad tag, bad padding, truncation, reordering,
 * extension, a malformed header, a wrong key or a wrong binding (resource id,
 * machine id).
 *
 * Security: the message is deliberately generic and carries no cause. Telling a
 * tag failure from a padding failure (or from a truncation) is exactly what makes
 * a padding oracle, so callers must not add detail either: catch it and map it to
 * `ErrorCode.IntegrityFailed`.
 */
export class IntegrityError extends Error {
  /** The error-registry code callers return over HTTP and IPC. */
  readonly code: typeof ErrorCode.IntegrityFailed = ErrorCode.IntegrityFailed;

  constructor() {
    super('Integrity check failed: the data is damaged, incomplete, or not meant for this key.');
    this.name = 'IntegrityError';
  }
}

/** True when `error` is the crypto core's one integrity error. */
export function isIntegrityError(error: unknown): error is IntegrityError {
  return error instanceof IntegrityError;
}
