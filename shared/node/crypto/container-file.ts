/**
 * Opening a container FILE into a plaintext file by chunk offsets: each worker
 * (or the calling thread, for small containers) reads its chunks with pread,
 * verifies, decrypts and writes them with pwrite at their plaintext offsets, so
 * no chunk crosses between threads. Output goes to a temporary 0600 file in the
 * destination's directory and is renamed over the destination only when every
 * chunk verified (docs/ARCHITECTURE.md §The offline vault: never a partial file); on any failure the
 * temporary file is removed and the one IntegrityError is thrown.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  CONTAINER_HEADER_BYTES,
  MIN_PARALLEL_CHUNKS,
  chunkRange,
  containerSize,
  deriveContainerKeys,
  openChunkParts,
  parseContainerHeader,
} from './container-format.ts';
import type { ContainerHeader, ContainerKeys } from './container-format.ts';
import { IntegrityError } from './errors.ts';
import type { ContainerOpenPool } from './parallel-open.ts';
import { tagsEqual } from './primitives.ts';

/** Reads exactly `length` bytes at `position`; fewer only at end of file. */
function preadFully(fd: number, buffer: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * HAZMAT (crypto core only): opens chunks `[first, end)` of the container at
 * `containerPath` into `outputPath` (which must exist; opened read-write). Throws
 * IntegrityError on the first chunk that fails; I/O errors propagate as they are.
 */
export function openChunkRangeToFile(
  keys: ContainerKeys,
  header: ContainerHeader,
  containerPath: string,
  outputPath: string,
  first: number,
  end: number,
): void {
  const input = openSync(containerPath, 'r');
  let output: number | undefined;
  try {
    output = openSync(outputPath, 'r+');
    const buffer = Buffer.allocUnsafe(chunkRange(header, 0).end - chunkRange(header, 0).start);
    for (let index = first; index < end; index++) {
      const { start, end: stop } = chunkRange(header, index);
      const read = preadFully(input, buffer, stop - start, start);
      if (read !== stop - start) throw new IntegrityError();
      let position = index * header.chunkSize;
      for (const part of openChunkParts(keys, header, index, buffer.subarray(0, read))) {
        let written = 0;
        while (written < part.length)
          written += writeSync(output, part, written, part.length - written, position + written);
        position += part.length;
      }
    }
  } finally {
    closeSync(input);
    if (output !== undefined) closeSync(output);
  }
}

/** Chunks per worker job: big enough to amortise a message, small enough to balance the workers. */
export const FILE_BATCH_CHUNKS = 8;

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

/** Runs every batch, `pool.size × 2` at a time; stops handing out batches after the first failure. */
async function openBatchesOnPool(
  pool: ContainerOpenPool,
  keys: ContainerKeys,
  header: ContainerHeader,
  paths: { containerPath: string; outputPath: string },
): Promise<void> {
  let next = 0;
  let integrityFailed = false;
  let ioError: unknown;
  const runner = async () => {
    while (!integrityFailed && ioError === undefined && next < header.chunkCount) {
      const first = next;
      next = Math.min(first + FILE_BATCH_CHUNKS, header.chunkCount);
      try {
        if (!(await pool.openFileRange(keys, header, paths, first, next))) integrityFailed = true;
      } catch (error) {
        ioError ??= error;
      }
    }
  };
  // Wait for every runner, so no worker still writes when the caller cleans up.
  await Promise.all(Array.from({ length: pool.size * 2 }, runner));
  if (integrityFailed) throw new IntegrityError();
  if (ioError !== undefined) throw ioError;
}

/**
 * Opens the container file at `containerPath` into `outputPath` (all or nothing):
 * with a pool of two or more workers, the chunks are verified and decrypted on the
 * workers, which read and write the files themselves; without one, on the calling
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
    if (input.pool !== undefined && input.pool.size >= 2 && header.chunkCount >= MIN_PARALLEL_CHUNKS) {
      await openBatchesOnPool(input.pool, keys, header, paths);
    } else {
      for (let first = 0; first < header.chunkCount; first += FILE_BATCH_CHUNKS) {
        const end = Math.min(first + FILE_BATCH_CHUNKS, header.chunkCount);
        openChunkRangeToFile(keys, header, paths.containerPath, paths.outputPath, first, end);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
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
