/**
 * Streaming seal and open of FCR1 containers (format: container-format.ts).
 *
 * Both are async generators, so they compose with node:stream:
 *   await pipeline(createReadStream(src), (s) => openContainer(s, { dek, resourceId }), createWriteStream(tmp));
 * Memory stays at about one chunk whatever the size.
 *
 * Integrity: each chunk's plaintext is released only after its tag verified. A
 * failure at chunk k throws the one IntegrityError after chunks 0..k-1 were
 * yielded (they are authentic, but the resource as a whole is not): callers write
 * to a temporary file and rename it only when the generator completes.
 */
import { ByteReader } from './byte-reader.ts';
import {
  CONTAINER_HEADER_BYTES,
  DEFAULT_CHUNK_SIZE,
  chunkPlaintextLength,
  createContainerHeader,
  deriveContainerKeys,
  openChunk,
  openChunkParts,
  parseContainerHeader,
  sealChunk,
  storedChunkLength,
} from './container-format.ts';
import type { ContainerHeader, ContainerKeys } from './container-format.ts';
import { IntegrityError } from './errors.ts';
import { tagsEqual } from './primitives.ts';

export {
  CONTAINER_HEADER_BYTES,
  DEFAULT_CHUNK_SIZE,
  chunkRange,
  containerSize,
  deriveContainerKeys,
  openChunk,
  openChunkParts,
  parseContainerHeader,
} from './container-format.ts';
export type { ContainerHeader, ContainerKeys } from './container-format.ts';

/** Bytes in: a Readable (or web ReadableStream), an async generator, an array of buffers, or one buffer. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;

export interface SealContainerOptions {
  /** The resource's random 32-byte DEK. Secret material. */
  dek: Uint8Array;
  resourceId: string;
  /** Exact plaintext bytes the source will yield (it is in the header, which every tag covers). */
  plaintextSize: number;
  /** Plaintext bytes per chunk (default 1 MiB; a multiple of 16). */
  chunkSize?: number;
}

export interface OpenContainerOptions {
  /** The resource's 32-byte DEK. Secret material. */
  dek: Uint8Array;
  /** The resource the caller expects; a container of any other resource fails. */
  resourceId: string;
  /** Called once with the parsed header (before any chunk is verified: treat as untrusted). */
  onHeader?: (header: ContainerHeader) => void;
}

/**
 * Seals a plaintext stream into an FCR1 container stream (header, then chunks).
 * A source that yields more or fewer than `plaintextSize` bytes is a caller error (RangeError).
 */
export async function* sealContainer(
  source: ByteSource,
  options: SealContainerOptions,
): AsyncGenerator<Buffer> {
  const keys = deriveContainerKeys(options.dek, options.resourceId);
  const header = createContainerHeader(keys, options.plaintextSize, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const reader = new ByteReader(source);
  try {
    yield Buffer.from(header.bytes);
    for (let index = 0; index < header.chunkCount; index++) {
      const length = chunkPlaintextLength(header, index);
      const plaintext = await reader.read(length);
      if (plaintext.length !== length)
        throw new RangeError('plaintext source ended before plaintextSize bytes');
      yield sealChunk(keys, header, index, plaintext);
    }
    if (!(await reader.atEnd()))
      throw new RangeError('plaintext source yielded more than plaintextSize bytes');
  } finally {
    await reader.cancel();
  }
}

/** Reads and checks the header of a container stream against the expected keys. */
export async function readContainerHeader(reader: ByteReader, keys: ContainerKeys): Promise<ContainerHeader> {
  const bytes = await reader.read(CONTAINER_HEADER_BYTES);
  const header = parseContainerHeader(bytes);
  if (!tagsEqual(header.resourceIdHash, keys.resourceIdHash)) throw new IntegrityError();
  return header;
}

/**
 * Opens an FCR1 container stream, yielding authentic plaintext in order (in pieces
 * of up to 64 KiB; a chunk's pieces are released only after its tag verified).
 * Truncation, extension, reordering, a foreign chunk, a wrong key or resource,
 * and any flipped bit all throw the one IntegrityError.
 */
export async function* openContainer(
  source: ByteSource,
  options: OpenContainerOptions,
): AsyncGenerator<Buffer> {
  const keys = deriveContainerKeys(options.dek, options.resourceId);
  const reader = new ByteReader(source);
  try {
    const header = await readContainerHeader(reader, keys);
    options.onHeader?.(header);
    // One reusable buffer for stored chunks: each is verified and decrypted (into
    // fresh plaintext buffers) before the next read overwrites it.
    const scratch = Buffer.allocUnsafe(storedChunkLength(header.chunkSize));
    for (let index = 0; index < header.chunkCount; index++) {
      const stored = await reader.read(storedChunkLength(chunkPlaintextLength(header, index)), scratch);
      // All of a chunk's pieces are computed (tag verified) before the first is yielded.
      yield* openChunkParts(keys, header, index, stored);
    }
    if (!(await reader.atEnd())) throw new IntegrityError();
  } finally {
    await reader.cancel();
  }
}

/** Seals a whole in-memory plaintext (small resources, tests). */
export function sealContainerBuffer(
  plaintext: Uint8Array,
  options: Omit<SealContainerOptions, 'plaintextSize'>,
): Buffer {
  const keys = deriveContainerKeys(options.dek, options.resourceId);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const header = createContainerHeader(keys, plaintext.length, chunkSize);
  const parts: Buffer[] = [header.bytes];
  for (let index = 0; index < header.chunkCount; index++) {
    const start = index * chunkSize;
    parts.push(
      sealChunk(keys, header, index, plaintext.subarray(start, start + chunkPlaintextLength(header, index))),
    );
  }
  return Buffer.concat(parts);
}

/** Opens a whole in-memory container; all or nothing (the one IntegrityError). */
export function openContainerBuffer(
  container: Uint8Array,
  options: Omit<OpenContainerOptions, 'onHeader'>,
): Buffer {
  const keys = deriveContainerKeys(options.dek, options.resourceId);
  const bytes = Buffer.from(container.buffer, container.byteOffset, container.byteLength);
  const header = parseContainerHeader(bytes);
  if (!tagsEqual(header.resourceIdHash, keys.resourceIdHash)) throw new IntegrityError();
  const parts: Buffer[] = [];
  let offset = CONTAINER_HEADER_BYTES;
  for (let index = 0; index < header.chunkCount; index++) {
    const length = storedChunkLength(chunkPlaintextLength(header, index));
    if (offset + length > bytes.length) throw new IntegrityError();
    parts.push(openChunk(keys, header, index, bytes.subarray(offset, offset + length)));
    offset += length;
  }
  if (offset !== bytes.length) throw new IntegrityError();
  return Buffer.concat(parts);
}
