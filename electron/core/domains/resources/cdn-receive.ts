/**
 * Receives a big part from the CDN into the staging file, resumable (docs/ARCHITECTURE.md
 * §The unlock sequence). It runs on the download's own thread (cdn-download.worker.ts,
 * started by cdn-download.ts), so that the TLS reads' garbage is collected in a small heap
 * of its own rather than the console core's. After a cut connection it asks for the rest
 * with `Range`; when the signed URL expired (410; 403 from an S3 CDN, whose expired
 * presigned URLs answer so) it fetches a new one; an absolute URL goes through the CDN
 * origin policy (cdn-origin-policy.ts); a server that stays away gives a clear error and
 * leaves the partial file for the next attempt. The bytes are hashed as they arrive (and
 * the kept prefix re-hashed on resume) by one more worker thread that also writes them
 * (big-part-sink.ts); size and SHA-256 must match the signed manifest or the one
 * IntegrityError is thrown. Memory stays constant: the response pauses while more than
 * 8 MiB wait for the disk.
 */
import fs from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream/promises';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { CdnTransport, foreignCdnUrl } from '../../factory-api/cdn-origin-policy.ts';
import type { PinnedTransport } from '../../factory-api/pinned-transport.ts';
import { FactoryApiError } from '../../factory-api/factory-api.error.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { BigPartSink, SinkWriteError } from './big-part-sink.ts';

/** Bytes received but not yet on disk before the response is paused, and when it resumes. */
const UNWRITTEN_HIGH = 8 * 1024 * 1024;
const UNWRITTEN_LOW = 4 * 1024 * 1024;

export interface ReceiveInput {
  /** The pinned pool to the Factory API (this thread's own). */
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

/** The error of a cancelled download (the partial file stays). */
export function cancelled(): ConsoleError {
  return new ConsoleError(
    ErrorCode.Cancelled,
    'The unlock was cancelled; the partial download is kept and resumes next time.',
  );
}

async function errorOf(response: IncomingMessage): Promise<FactoryApiError> {
  let text = '';
  for await (const piece of response) {
    if (text.length < 4096) text += String(piece);
  }
  let message = `The CDN answered HTTP ${response.statusCode}.`;
  let code: ErrorCode = ErrorCode.Unavailable;
  try {
    const body = JSON.parse(text) as { error?: { code?: ErrorCode; message?: string } };
    if (body.error?.message) message = `CDN: ${body.error.message}`;
    if (body.error?.code) code = body.error.code;
  } catch {
    // not JSON: keep the status line
  }
  return new FactoryApiError(code, message, { status: response.statusCode ?? 0 });
}

/** Receives (or resumes) the big part; resolves once it is complete and verified. */
export async function receiveBigPart(input: ReceiveInput): Promise<void> {
  const foreign = new CdnTransport();
  try {
    await download(input, foreign);
  } finally {
    foreign.close();
  }
}

function writeFailed(error: SinkWriteError): ConsoleError {
  return new ConsoleError(
    ErrorCode.Internal,
    `The download could not be written to disk (${error.code ?? error.message}). ` +
      'The vault is unchanged; the partial download is kept and resumes on the next unlock.',
  );
}

/**
 * Receives one response body into the sink: 'data' events (no promise per piece), the
 * response paused while the disk is behind. Resolves at the body's end; rejects when the
 * connection is cut, the signal aborts, or `onPiece` throws.
 */
async function receive(
  response: IncomingMessage,
  sink: BigPartSink,
  onPiece: (piece: Buffer) => void,
): Promise<void> {
  let paused = false;
  response.on('data', (piece: Buffer) => {
    try {
      onPiece(piece);
      sink.write(piece);
    } catch (error) {
      response.destroy(error as Error);
      return;
    }
    if (paused || sink.unwritten <= UNWRITTEN_HIGH) return;
    paused = true;
    response.pause();
    sink.drained(UNWRITTEN_LOW).then(
      () => {
        paused = false;
        response.resume();
      },
      (error: Error) => response.destroy(error),
    );
  });
  await finished(response);
}

/**
 * A kept prefix up to this size is re-hashed while the first request is on its way (the
 * sink's thread starts in tens of milliseconds); a longer one first, so that a server
 * does not wait seconds on an unread connection.
 */
const OVERLAPPED_PREFIX = 64 * 1024 * 1024;

async function download(input: ReceiveInput, foreign: CdnTransport): Promise<void> {
  const end = () => input.offset + input.expectedSize;
  let size = (await fs.stat(input.file)).size;
  if (size > end() || size < input.offset) {
    // Longer than the signed size: start over. Shorter than the offset: the big part starts there.
    await fs.truncate(input.file, input.offset);
    size = input.offset;
  }
  let written = size - input.offset;
  const opening = BigPartSink.open(input.file, input.offset, size, (bytes) => {
    written += bytes;
    input.onBytes?.(written);
  });
  // Awaited below, in every path: its failure is the download's.
  opening.catch(() => {});
  if (written > OVERLAPPED_PREFIX) await opening;
  try {
    input.onBytes?.(written);
    size = await attempts(input, foreign, opening, size);
    const sink = await opening;
    if (size !== end() || (await sink.digest()) !== input.expectedSha256) throw new IntegrityError();
  } catch (error) {
    if (error instanceof SinkWriteError) throw writeFailed(error);
    const sink = await opening.catch(() => undefined);
    if (sink?.failure instanceof SinkWriteError) throw writeFailed(sink.failure);
    throw error;
  } finally {
    // What was received is on disk before the partial file is left for the next attempt.
    const sink = await opening.catch(() => undefined);
    await sink?.flush().catch(() => {});
    await sink?.close();
  }
}

/** Requests the rest of the big part until it is all received; returns the file's size. */
async function attempts(
  input: ReceiveInput,
  foreign: CdnTransport,
  opening: Promise<BigPartSink>,
  initialSize: number,
): Promise<number> {
  const maxAttempts = input.maxAttempts ?? 5;
  let url = input.url;
  let refreshes = 0;
  let failures = 0;
  let size = initialSize;
  const end = input.offset + input.expectedSize;
  while (size < end) {
    if (input.signal?.aborted) throw cancelled();
    const start = size - input.offset;
    let response;
    // A path is the API's own CDN (pinned); anything else must pass the origin policy.
    const external = !url.startsWith('/');
    if (external) foreignCdnUrl(url);
    try {
      const init = {
        headers: { range: `bytes=${start}-`, accept: 'application/octet-stream' },
        signal: input.signal,
      };
      response = external
        ? await foreign.request(url, init)
        : await input.transport.request(input.baseUrl + url, init);
    } catch (error) {
      if (input.signal?.aborted) throw cancelled();
      if (error instanceof FactoryApiError) throw error; // a certificate that is not the pinned one: never retried
      if (++failures >= maxAttempts) {
        throw new ConsoleError(
          ErrorCode.Unavailable,
          `The download stopped: the Factory API is unreachable (${(error as Error).message}). ` +
            'The vault is unchanged; the partial download is kept and resumes on the next unlock.',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, (input.retryDelayMs ?? 300) * failures));
      continue;
    }
    const expired = response.statusCode === 410 || (external && response.statusCode === 403);
    if (expired && refreshes < 3) {
      response.resume();
      refreshes += 1;
      url = await input.refreshUrl();
      continue;
    }
    let sink: BigPartSink;
    try {
      sink = await opening; // the first response may be here before the sink's thread is
    } catch (error) {
      response.destroy();
      throw error;
    }
    if (response.statusCode === 200 && start > 0) {
      // The server ignored Range: start over.
      response.destroy();
      await sink.flush();
      await fs.truncate(input.file, input.offset);
      await sink.reset(input.offset);
      size = input.offset;
      continue;
    }
    if (response.statusCode !== 206 && response.statusCode !== 200) throw await errorOf(response);
    try {
      await receive(response, sink, (piece) => {
        if (size + piece.length > end) throw new IntegrityError();
        size += piece.length;
        refreshes = 0; // progress: a long download may outlive several URLs
      });
      failures = 0;
    } catch (error) {
      if (error instanceof IntegrityError || error instanceof SinkWriteError) throw error;
      if (input.signal?.aborted) throw cancelled();
      if (++failures >= maxAttempts) {
        throw new ConsoleError(
          ErrorCode.Unavailable,
          'The download was cut repeatedly. The vault is unchanged; the partial download is kept and resumes on the next unlock.',
        );
      }
    }
  }
  return size;
}
