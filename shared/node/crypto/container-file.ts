/**
 * Opening a container FILE into a plaintext file by chunk offsets: each worker
 * (and the calling thread, with a caller lane or for small containers) reads its chunks with pread,
 * verifies, decrypts and writes them with pwrite at their plaintext offsets, so
 * no chunk crosses between threads. Output goes to a temporary 0600 file in the
 * destination's directory and is renamed over the destination only when every
 * chunk verified (docs/ARCHITECTURE.md §The offline vault: never a partial file); on any failure the
 * temporary file is removed and the one IntegrityError is thrown.
 */
import { randomBytes } from 'node:crypto';
import { ftruncateSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FILE_BATCH_CHUNKS, openChunkRangeToFile } from './chunk-range-file.ts';
import {
  CONTAINER_HEADER_BYTES,
  MIN_PARALLEL_CHUNKS,
  containerSize,
  deriveContainerKeys,
  parseContainerHeader,
} from './container-format.ts';
import type { ContainerHeader, ContainerKeys } from './container-format.ts';
import { IntegrityError } from './errors.ts';
import type { FileJobOutput } from './open-chunk.protocol.ts';
import type { ContainerOpenPool } from './parallel-open.ts';
import { tagsEqual } from './primitives.ts';

export { FILE_BATCH_CHUNKS } from './chunk-range-file.ts';

async function readVerifiedLayout(containerPath: string, keys: ContainerKeys): Promise<ContainerHeader> {
  const handle = await open(containerPath, 'r');
  try {
    const bytes = Buffer.alloc(CONTAINER_HEADER_BYTES);
    const { bytesRead } = await handle.read(bytes, 0, CONTAINER_HEADER_BYTES, 0);
    const header = parseContainerHeader(bytes.subarray(0, bytesRead));
    if (!tagsEqual(header.resourceIdHash, keys.resourceIdHash)) throw new IntegrityError();
    // Truncation and extension are visible from the size alone: fail before any work.
    const { size } = await handle.stat();
    if (size !== containerSize(header.plaintextSize, header.chunkSize)) throw new IntegrityError();
    return header;
  } finally {
    await handle.close();
  }
}

/**
 * Runs every batch, `pool.size × 2` at a time on the workers and, with a caller lane,
 * one at a time on this thread too (yielding to the event loop between its batches, so
 * the workers' replies are handled); stops handing out batches after the first failure.
 */
async function openBatchesOnPool(
  pool: ContainerOpenPool,
  keys: ContainerKeys,
  header: ContainerHeader,
  paths: { containerPath: string } & FileJobOutput,
): Promise<void> {
  let next = 0;
  let integrityFailed = false;
  let ioError: unknown;
  /** The next batch `[first, end)`, or undefined when all are handed out or one failed. */
  const take = (): [number, number] | undefined => {
    if (integrityFailed || ioError !== undefined || next >= header.chunkCount) return undefined;
    const first = next;
    next = Math.min(first + FILE_BATCH_CHUNKS, header.chunkCount);
    return [first, next];
  };
  const onWorker = async () => {
    for (let batch = take(); batch !== undefined; batch = take()) {
      try {
        if (!(await pool.openFileRange(keys, header, paths, batch[0], batch[1]))) integrityFailed = true;
      } catch (error) {
        ioError ??= error;
      }
    }
  };
  const here = async () => {
    for (let batch = take(); batch !== undefined; batch = take()) {
      try {
        openChunkRangeToFile(keys, header, paths.containerPath, paths, batch[0], batch[1]);
      } catch (error) {
        if (error instanceof IntegrityError) integrityFailed = true;
        else ioError ??= error;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  // The workers' first batches are handed out before this thread starts on one.
  const runners = Array.from({ length: pool.size * 2 }, onWorker);
  if (pool.hasCallerLane) runners.push(here());
  // Wait for every runner, so no worker still writes when the caller cleans up.
  await Promise.all(runners);
  if (integrityFailed) throw new IntegrityError();
  if (ioError !== undefined) throw ioError;
}

/** Every chunk into the output: on the pool when it has two or more lanes, else here in batches. */
async function openAllChunks(
  pool: ContainerOpenPool | undefined,
  keys: ContainerKeys,
  header: ContainerHeader,
  paths: { containerPath: string } & FileJobOutput,
): Promise<void> {
  if (pool !== undefined && pool.lanes >= 2 && header.chunkCount >= MIN_PARALLEL_CHUNKS) {
    await openBatchesOnPool(pool, keys, header, paths);
    return;
  }
  for (let first = 0; first < header.chunkCount; first += FILE_BATCH_CHUNKS) {
    const end = Math.min(first + FILE_BATCH_CHUNKS, header.chunkCount);
    openChunkRangeToFile(keys, header, paths.containerPath, paths, first, end);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Opens the container file at `containerPath` into `outputPath` (all or nothing):
 * with a pool of two or more lanes, the chunks are verified and decrypted on the
 * workers (and the calling thread, with a caller lane), which read and write the
 * files themselves; without one, on the calling
 * thread in batches (yielding to the event loop between them). Returns the
 * plaintext size. Any integrity failure is the one IntegrityError, and
 * `outputPath` is then left untouched.
 */
export async function openContainerFile(input: {
  containerPath: string;
  outputPath: string;
  dek: Uint8Array;
  resourceId: string;
  pool?: ContainerOpenPool;
}): Promise<{ plaintextSize: number }> {
  const keys = deriveContainerKeys(input.dek, input.resourceId);
  const header = await readVerifiedLayout(input.containerPath, keys);
  const temporary = join(
    dirname(input.outputPath),
    `.${basename(input.outputPath)}.${randomBytes(6).toString('hex')}.partial`,
  );
  const output = await open(temporary, 'wx', 0o600);
  const paths = { containerPath: input.containerPath, outputPath: temporary };
  try {
    await output.truncate(header.plaintextSize);
    await openAllChunks(input.pool, keys, header, paths);
    await output.sync();
    await output.close();
    await rename(temporary, input.outputPath);
    return { plaintextSize: header.plaintextSize };
  } catch (error) {
    await output.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Opens the container file at `containerPath` into `fd`, an open, EMPTY regular file
 * written from offset 0 without O_APPEND (the caller checks: `cat NAME > file` hands
 * over stdout). Chunks are verified, decrypted and written by offset on the pool's
 * workers, as in `openContainerFile`; the descriptor is not closed nor synced (the
 * shell owns it). On any failure the file is truncated back to empty, so it holds
 * either the whole verified plaintext or nothing; the error is then rethrown (the one
 * IntegrityError for bad bytes). Returns the plaintext size.
 */
export async function openContainerIntoDescriptor(input: {
  containerPath: string;
  fd: number;
  dek: Uint8Array;
  resourceId: string;
  pool?: ContainerOpenPool;
}): Promise<{ plaintextSize: number }> {
  const keys = deriveContainerKeys(input.dek, input.resourceId);
  try {
    const header = await readVerifiedLayout(input.containerPath, keys);
    await openAllChunks(input.pool, keys, header, { containerPath: input.containerPath, outputFd: input.fd });
    return { plaintextSize: header.plaintextSize };
  } catch (error) {
    ftruncateSync(input.fd, 0);
    throw error;
  } finally {
    keys.encKey.fill(0);
    keys.macKey.fill(0);
  }
}
