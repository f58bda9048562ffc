import type { ErrorCode } from '../errors.ts';

/**
 * What every bridge call resolves to (Signal's envelope): a value, or a typed error with
 * a code from the shared registry. Never a thrown exception, never a stack trace.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; error: BridgeError };

/** A failure the UI can act on: a stable code and one human sentence. */
export interface BridgeError {
  code: ErrorCode;
  message: string;
  /** The argument field a `validation_failed` is about (its key, e.g. `cidr`), for the form to mark. */
  field?: string;
}

/** Wraps a value as a successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps a code and message (and the field it concerns, if any) as a failed result. */
export function fail<T = never>(code: ErrorCode, message: string, field?: string): Result<T> {
  return { ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}

/** A listener's handle: call it to stop receiving events. */
export type Unsubscribe = () => void;
