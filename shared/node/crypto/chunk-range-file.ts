/**
 * HAZMAT (crypto core only): opening a run of chunks of a container FILE straight
 * into a plaintext file by offset, on whichever thread calls it — a pool worker or
 * the calling thread of container-file.ts. Each chunk is read with pread, its tag
 * checked before it is decrypted (openChunkParts), and its plaintext written with
 * pwrite at `index × chunkSize`, so no chunk crosses between threads.
 */
import { closeSync, openSync, readSync, writevSync } from 'node:fs';
import { chunkRange, openChunkParts } from './container-format.ts';
import type { ContainerHeader, ContainerKeys } from './container-format.ts';
import { IntegrityError } from './errors.ts';
import type { FileJobOutput } from './open-chunk.protocol.ts';

/** Chunks per job: big enough to amortise a message, small enough to balance the workers. */
export const FILE_BATCH_CHUNKS = 8;

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

let scratchBuffer: Buffer | undefined;

/** This thread's read buffer of at least `length` bytes, kept between jobs (a fresh 1 MiB costs 256 page faults). */
function scratch(length: number): Buffer {
  if (scratchBuffer === undefined || scratchBuffer.length < length)
    scratchBuffer = Buffer.allocUnsafeSlow(length);
  return scratchBuffer;
}

/** Writes every byte of `parts` at `position` (pwritev, repeated after a short write). */
function writeAllAt(fd: number, parts: Buffer[], position: number): void {
  let pending = parts.filter((part) => part.length > 0);
  while (pending.length > 0) {
    let written = writevSync(fd, pending, position);
    position += written;
    const rest: Buffer[] = [];
    for (const part of pending) {
      if (written >= part.length) written -= part.length;
      else {
        rest.push(written > 0 ? part.subarray(written) : part);
        written = 0;
      }
    }
    pending = rest;
  }
}

/**
 * Frees the plaintext pieces of a chunk once they are written, by detaching their
 * ArrayBuffers (`transfer(0)` releases the memory at once). Left to the garbage
 * collector they piled up (a 256 MiB open on two lanes peaked at ≈ 195 MiB RSS, with
 * them freed ≈ 113 MiB), and every new piece was cold memory to zero-fill (decrypting
 * alone: ≈ 0.44 CPU-s/GiB that way, ≈ 0.31 freed; `npm run bench -- crypto` and
 * `-- unlock` measure the whole open). Only pieces that own their whole ArrayBuffer
 * are freed (decipher output always does, and nothing else holds these pieces).
 */
function freeWritten(parts: Buffer[]): void {
  for (const part of parts) {
    const buffer = part.buffer as ArrayBuffer;
    if (part.byteOffset === 0 && part.byteLength === buffer.byteLength && part.byteLength > 0)
      buffer.transfer(0);
  }
}

/**
 * Opens chunks `[first, end)` of the container at `containerPath` into the output
 * (a path, which must exist and is opened read-write, or an open descriptor, which
 * is left open). Throws IntegrityError on the first chunk that fails, having written
 * only chunks that verified; I/O errors propagate as they are.
 */
export function openChunkRangeToFile(
  keys: ContainerKeys,
  header: ContainerHeader,
  containerPath: string,
  output: FileJobOutput,
  first: number,
  end: number,
): void {
  const input = openSync(containerPath, 'r');
  let outputFd: number | undefined;
  const owned = output.outputPath !== undefined;
  try {
    outputFd = owned ? openSync(output.outputPath, 'r+') : output.outputFd;
    const buffer = scratch(chunkRange(header, 0).end - chunkRange(header, 0).start);
    for (let index = first; index < end; index++) {
      const { start, end: stop } = chunkRange(header, index);
      const read = preadFully(input, buffer, stop - start, start);
      if (read !== stop - start) throw new IntegrityError();
      // One vectored write per chunk (its plaintext comes in 64 KiB pieces).
      const parts = openChunkParts(keys, header, index, buffer.subarray(0, read));
      writeAllAt(outputFd, parts, index * header.chunkSize);
      freeWritten(parts);
    }
  } finally {
    closeSync(input);
    if (owned && outputFd !== undefined) closeSync(outputFd);
  }
}
