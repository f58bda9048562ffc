/**
 * Downloads a big part from the CDN into the staging file (docs/ARCHITECTURE.md §The
 * unlock sequence) on a thread of its own (cdn-download.worker.ts, which runs
 * cdn-receive.ts: resume with `Range`, expired-URL refresh, retries, the CDN origin
 * policy, the SHA-256 against the signed manifest). Why a thread: in a process that has
 * loaded the console core, receiving TLS on the main thread cost about twice the CPU
 * per GiB of the same receive on a worker, whose small heap makes the full collections
 * the TLS reads ask for cheap (measured in the section §The crypto core).
 *
 * This side only relays: the thread's progress to `onBytes`, its request for a fresh
 * URL to `refreshUrl` (the Factory API session stays here), `signal` as an `abort`,
 * and its error, made again as the same class (cdn-download.protocol.ts).
 */
import { Worker } from 'node:worker_threads';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import type { PinnedTransport } from '../../factory-api/pinned-transport.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import {
  crossError,
  uncrossError,
  type DownloadJob,
  type FromDownload,
  type ToDownload,
} from './cdn-download.protocol.ts';

export interface DownloadInput {
  /** The pinned pool to the Factory API: the download thread opens one like it (same origin, same pin). */
  transport: PinnedTransport;
  baseUrl: string;
  /** The signed CDN path (`/cdn/…?exp=&sig=`) on the API's origin, or an absolute CDN URL (S3 presigned). */
  url: string;
  /** Asks the API for a fresh URL when the current one expired. */
  refreshUrl: () => Promise<string>;
  /** The staging file; the big part is written from `offset` on (the small part is before it). */
  file: string;
  offset: number;
  expectedSize: number;
  expectedSha256: string;
  signal?: AbortSignal;
  /** Big-part bytes on disk so far. */
  onBytes?: (bytes: number) => void;
  /** Connection attempts in a row that may fail before giving up (default 5). */
  maxAttempts?: number;
  retryDelayMs?: number;
}

/** Downloads (or resumes) the big part; resolves once it is complete and verified. */
export function downloadBigPart(input: DownloadInput): Promise<void> {
  const job: DownloadJob = {
    transport: input.transport.identity,
    baseUrl: input.baseUrl,
    url: input.url,
    file: input.file,
    offset: input.offset,
    expectedSize: input.expectedSize,
    expectedSha256: input.expectedSha256,
    ...(input.maxAttempts === undefined ? {} : { maxAttempts: input.maxAttempts }),
    ...(input.retryDelayMs === undefined ? {} : { retryDelayMs: input.retryDelayMs }),
  };
  const worker = new Worker(new URL('./cdn-download.worker.ts', import.meta.url), { workerData: job });
  let settled = false;
  const send = (message: ToDownload) => {
    if (!settled) worker.postMessage(message);
  };
  const abort = () => send({ type: 'abort' });
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      input.signal?.removeEventListener('abort', abort);
      // The thread has closed its file and pools before its last message.
      void worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    worker.on('message', (message: FromDownload) => {
      if (message.type === 'bytes') input.onBytes?.(message.bytes);
      else if (message.type === 'done') settle();
      else if (message.type === 'failed') settle(uncrossError(message.error));
      else if (message.type === 'refresh') {
        input.refreshUrl().then(
          (url) => send({ type: 'refreshed', id: message.id, url }),
          (error: unknown) => send({ type: 'refresh-failed', id: message.id, error: crossError(error) }),
        );
      }
    });
    worker.on('error', (error) =>
      settle(
        new ConsoleError(
          ErrorCode.Internal,
          `The download thread failed (${error.message}). ` +
            'The vault is unchanged; the partial download is kept and resumes on the next unlock.',
        ),
      ),
    );
    worker.on('exit', (code) =>
      settle(
        new ConsoleError(
          ErrorCode.Internal,
          `The download thread stopped before it finished (exit ${code}). ` +
            'The vault is unchanged; the partial download is kept and resumes on the next unlock.',
        ),
      ),
    );
    if (input.signal?.aborted) abort();
    else input.signal?.addEventListener('abort', abort, { once: true });
  });
}
