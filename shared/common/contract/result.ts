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
}

/** Wraps a value as a successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps a code and message as a failed result. */
export function fail<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

/** A listener's handle: call it to stop receiving events. */
export type Unsubscribe = () => void;
