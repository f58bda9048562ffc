/**
 * The messages between cdn-download.ts (the unlock, on the calling thread) and
 * cdn-download.worker.ts (the thread that receives the big part), and how an error
 * crosses between them: a structured clone keeps an Error's message but not its class or
 * its `code`, so the one IntegrityError, a ConsoleError and a FactoryApiError are sent as
 * plain data and made again on the other side. A file of its own so that neither side
 * imports the other. Nothing secret crosses: a URL signed for this machine, a path, the
 * server's certificate (public), ciphertext sizes, error sentences that are safe to show.
 */
import type { ErrorCode } from '../../../../shared/common/errors.ts';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { FactoryApiError } from '../../factory-api/factory-api.error.ts';
import type { TransportOptions } from '../../factory-api/pinned-transport.ts';
import { ConsoleError } from '../../platform/console-error.ts';

/** `workerData` of the download thread. */
export interface DownloadJob {
  /** The pinned transport's own origin and pin: the thread opens its own pool with them. */
  transport: { baseUrl: string; options: TransportOptions };
  baseUrl: string;
  url: string;
  file: string;
  offset: number;
  expectedSize: number;
  expectedSha256: string;
  maxAttempts?: number;
  retryDelayMs?: number;
}

/** An error as data: which class, its registry or errno code, its sentence and HTTP details. */
export interface CrossedError {
  kind: 'integrity' | 'api' | 'console' | 'other';
  message: string;
  code?: string;
  status?: number;
  requestId?: string;
  retryAfterS?: number;
}

/** To the download thread. */
export type ToDownload =
  /** Stop now (the unlock was cancelled, or its key side failed); the partial file stays. */
  | { type: 'abort' }
  /** The answer to a `refresh`: a new signed URL, or why there is none. */
  | { type: 'refreshed'; id: number; url: string }
  | { type: 'refresh-failed'; id: number; error: CrossedError };

/** From the download thread. */
export type FromDownload =
  /** Big-part bytes on disk so far. */
  | { type: 'bytes'; bytes: number }
  /** The signed URL expired: ask the Factory API for a new one (answered with `refreshed`). */
  | { type: 'refresh'; id: number }
  /** The last message: the big part is complete and verified, or why not. */
  | { type: 'done' }
  | { type: 'failed'; error: CrossedError };

export function crossError(error: unknown): CrossedError {
  if (error instanceof IntegrityError) return { kind: 'integrity', message: error.message };
  if (error instanceof FactoryApiError) {
    return {
      kind: 'api',
      message: error.message,
      code: error.code,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
      ...(error.retryAfterS === undefined ? {} : { retryAfterS: error.retryAfterS }),
    };
  }
  if (error instanceof ConsoleError) return { kind: 'console', message: error.message, code: error.code };
  const code = (error as { code?: unknown } | null)?.code;
  return {
    kind: 'other',
    message: error instanceof Error ? error.message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

export function uncrossError(error: CrossedError): Error {
  switch (error.kind) {
    case 'integrity':
      return new IntegrityError();
    case 'api':
      return new FactoryApiError(error.code as ErrorCode, error.message, {
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
        ...(error.retryAfterS === undefined ? {} : { retryAfterS: error.retryAfterS }),
      });
    case 'console':
      return new ConsoleError(error.code as ErrorCode, error.message);
    default:
      return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
  }
}
