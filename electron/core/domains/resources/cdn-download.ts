/**
 * Downloads a big part from the CDN into the staging file, resumable (docs/ARCHITECTURE.md §The unlock sequence):
 * after a cut connection it asks for the rest with `Range`; when the signed URL
 * expired (410; 403 from an S3 CDN, whose expired presigned URLs answer so) it fetches
 * a new one; an absolute URL goes through the CDN origin policy (cdn-origin-policy.ts); a server that stays away gives a clear error
 * and leaves the partial file for the next attempt. The bytes are hashed as they
 * arrive (and the kept prefix re-hashed on resume); size and SHA-256 must match the
 * signed manifest or the one IntegrityError is thrown. Memory stays constant.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { CdnTransport, foreignCdnUrl } from '../../factory-api/cdn-origin-policy.ts';
import type { PinnedTransport } from '../../factory-api/pinned-transport.ts';
import { FactoryApiError } from '../../factory-api/factory-api.error.ts';
import { ConsoleError } from '../../platform/console-error.ts';

export interface DownloadInput {
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

function cancelled(): ConsoleError {
  return new ConsoleError(
    ErrorCode.Cancelled,
    'The unlock was cancelled; the partial download is kept and resumes next time.',
  );
}

async function hashPrefix(file: string, offset: number, end: number) {
  const hash = createHash('sha256');
  if (end > offset) {
    for await (const piece of createReadStream(file, {
      start: offset,
      end: end - 1,
      highWaterMark: 1024 * 1024,
    })) {
      hash.update(piece as Buffer);
    }
  }
  return hash;
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

/** Downloads (or resumes) the big part; resolves once it is complete and verified. */
export async function downloadBigPart(input: DownloadInput): Promise<void> {
  const foreign = new CdnTransport();
  try {
    await download(input, foreign);
  } finally {
    foreign.close();
  }
}

async function download(input: DownloadInput, foreign: CdnTransport): Promise<void> {
  const maxAttempts = input.maxAttempts ?? 5;
  let url = input.url;
  let refreshes = 0;
  let failures = 0;
  const end = () => input.offset + input.expectedSize;
  let size = (await fs.stat(input.file)).size;
  if (size > end()) {
    await fs.truncate(input.file, input.offset);
    size = input.offset;
  }
  let hash = await hashPrefix(input.file, input.offset, size);
  input.onBytes?.(size - input.offset);
  while (size < end()) {
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
    if (response.statusCode === 200 && start > 0) {
      // The server ignored Range: start over.
      response.destroy();
      await fs.truncate(input.file, input.offset);
      size = input.offset;
      hash = createHash('sha256');
      continue;
    }
    if (response.statusCode !== 206 && response.statusCode !== 200) throw await errorOf(response);
    // A deep write queue: the network is not paused for every 16 KiB disk write, and
    // queued pieces go to disk in one writev. Bounded, so memory stays flat.
    const out = createWriteStream(input.file, { flags: 'a', highWaterMark: 4 * 1024 * 1024 });
    try {
      for await (const piece of response as AsyncIterable<Buffer>) {
        if (size + piece.length > end()) throw new IntegrityError();
        hash.update(piece);
        size += piece.length;
        refreshes = 0; // progress: a long download may outlive several URLs
        if (!out.write(piece)) await once(out, 'drain');
        input.onBytes?.(size - input.offset);
      }
      failures = 0;
    } catch (error) {
      if (error instanceof IntegrityError) throw error;
      if (input.signal?.aborted) throw cancelled();
      if (++failures >= maxAttempts) {
        throw new ConsoleError(
          ErrorCode.Unavailable,
          'The download was cut repeatedly. The vault is unchanged; the partial download is kept and resumes on the next unlock.',
        );
      }
    } finally {
      out.end();
      await once(out, 'close');
    }
  }
  if (size !== end() || hash.digest('hex') !== input.expectedSha256) throw new IntegrityError();
}
