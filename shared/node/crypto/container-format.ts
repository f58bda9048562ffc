/**
 * The FCR1 resource container (docs/SECURITY.md §The resource container (FCR1)): layout, keys, and one chunk's seal
 * and open. Streaming lives in container.ts; parallel opening in parallel-open.ts.
 *
 * Layout (all integers big-endian):
 *   header (68 bytes): "FCR1" ‖ version u8 = 1 ‖ 3 zero bytes ‖ chunkSize u32 ‖
 *                      plaintextSize u64 ‖ sealId (16 random bytes) ‖
 *                      SHA-256("FCR1/resource-id" ‖ resource id)
 *   chunk i:           IV(16) ‖ AES-256-CBC-PKCS7(plaintext_i) ‖ tag(32)
 *   tag_i = HMAC-SHA-256(mac_key, header ‖ u64 i ‖ u8 is_last ‖ IV ‖ ciphertext)
 *   enc_key ‖ mac_key = HKDF-SHA-256(DEK, salt = resource id, info = "FCR1")
 *
 * Every chunk but the last holds exactly chunkSize plaintext bytes; the last holds
 * the rest, and an empty resource is one empty last chunk, so the chunk count and
 * every offset follow from the header. The header is covered by every tag (which
 * makes it authentic once the first chunk verifies); the seal id makes chunks of
 * two seals of the same resource under the same DEK not interchangeable; is_last
 * makes truncation at a chunk boundary detectable.
 */
import { createHash, randomBytes } from 'node:crypto';
import { IntegrityError } from './errors.ts';
import { strictUtf8, uint64 } from './encoding.ts';
import {
  AES_BLOCK_BYTES,
  HMAC_SHA256_BYTES,
  aesCbcDecryptParts,
  aesCbcEncryptParts,
  cbcCiphertextLength,
  hkdf,
  hmac,
  tagsEqual,
} from './primitives.ts';

export const CONTAINER_MAGIC = 'FCR1';
export const CONTAINER_VERSION = 1;
export const CONTAINER_HEADER_BYTES = 68;
/** Default plaintext bytes per chunk. */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
/** Chunk sizes: a multiple of the AES block, from one block to 16 MiB (bounds memory per chunk). */
export const MIN_CHUNK_SIZE = AES_BLOCK_BYTES;
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** Containers with fewer chunks open on the calling thread: starting work on other threads would cost more. */
export const MIN_PARALLEL_CHUNKS = 4;
export const CHUNK_OVERHEAD_BYTES = AES_BLOCK_BYTES + HMAC_SHA256_BYTES;

/** A parsed FCR1 header. Its fields are authentic only once a chunk's tag has verified. */
export interface ContainerHeader {
  version: typeof CONTAINER_VERSION;
  chunkSize: number;
  plaintextSize: number;
  chunkCount: number;
  sealId: Buffer;
  resourceIdHash: Buffer;
  /** The 68 header bytes exactly as stored (MACed into every tag). */
  bytes: Buffer;
}

/** The keys of one resource's containers. Secret material: do not log, do not send. */
export interface ContainerKeys {
  encKey: Buffer;
  macKey: Buffer;
  resourceIdHash: Buffer;
}

function checkChunkSize(chunkSize: number): boolean {
  return (
    Number.isInteger(chunkSize) &&
    chunkSize >= MIN_CHUNK_SIZE &&
    chunkSize <= MAX_CHUNK_SIZE &&
    chunkSize % AES_BLOCK_BYTES === 0
  );
}

/** The stored resource-id hash (the id itself is not written, so the public parts do not name the resource). */
export function resourceIdHash(resourceId: string): Buffer {
  if (resourceId.length === 0) throw new RangeError('resourceId must not be empty');
  return createHash('sha256')
    .update('FCR1/resource-id')
    .update(strictUtf8(resourceId, 'resourceId'))
    .digest();
}

/** Derives a resource's container keys from its 32-byte DEK. */
export function deriveContainerKeys(dek: Uint8Array, resourceId: string): ContainerKeys {
  if (dek.length !== 32) throw new RangeError('DEK must be 32 bytes');
  const okm = hkdf('sha256', dek, strictUtf8(resourceId, 'resourceId'), CONTAINER_MAGIC, 64);
  return {
    encKey: okm.subarray(0, 32),
    macKey: okm.subarray(32),
    resourceIdHash: resourceIdHash(resourceId),
  };
}

/** Number of chunks for a plaintext size (at least one). */
export function chunkCountOf(plaintextSize: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(plaintextSize / chunkSize));
}

/** Plaintext bytes in chunk `index`. */
export function chunkPlaintextLength(
  header: Pick<ContainerHeader, 'chunkSize' | 'plaintextSize'>,
  index: number,
): number {
  const count = chunkCountOf(header.plaintextSize, header.chunkSize);
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new RangeError('chunk index out of range');
  return index < count - 1 ? header.chunkSize : header.plaintextSize - (count - 1) * header.chunkSize;
}

/** Stored bytes of a chunk holding `plaintextLength` bytes. */
export function storedChunkLength(plaintextLength: number): number {
  return CHUNK_OVERHEAD_BYTES + cbcCiphertextLength(plaintextLength);
}

/** Byte range `[start, end)` of chunk `index` in the container (for random access and HTTP Range). */
export function chunkRange(
  header: Pick<ContainerHeader, 'chunkSize' | 'plaintextSize'>,
  index: number,
): { start: number; end: number } {
  const length = storedChunkLength(chunkPlaintextLength(header, index));
  const start = CONTAINER_HEADER_BYTES + index * storedChunkLength(header.chunkSize);
  return { start, end: start + length };
}

/** Total container bytes for a plaintext size and chunk size. */
export function containerSize(plaintextSize: number, chunkSize: number = DEFAULT_CHUNK_SIZE): number {
  if (!Number.isSafeInteger(plaintextSize) || plaintextSize < 0)
    throw new RangeError('plaintextSize must be a non-negative safe integer');
  if (!checkChunkSize(chunkSize)) throw new RangeError('chunkSize must be a multiple of 16 in [16, 16 MiB]');
  const count = chunkCountOf(plaintextSize, chunkSize);
  const last = plaintextSize - (count - 1) * chunkSize;
  return CONTAINER_HEADER_BYTES + (count - 1) * storedChunkLength(chunkSize) + storedChunkLength(last);
}

/** Builds a fresh header (new random seal id). */
export function createContainerHeader(
  keys: ContainerKeys,
  plaintextSize: number,
  chunkSize: number,
): ContainerHeader {
  containerSize(plaintextSize, chunkSize); // validates both
  const bytes = Buffer.alloc(CONTAINER_HEADER_BYTES);
  bytes.write(CONTAINER_MAGIC, 0, 'latin1');
  bytes[4] = CONTAINER_VERSION;
  bytes.writeUInt32BE(chunkSize, 8);
  uint64(plaintextSize).copy(bytes, 12);
  randomBytes(16).copy(bytes, 20);
  keys.resourceIdHash.copy(bytes, 36);
  return parseContainerHeader(bytes);
}

/**
 * Parses the first 68 bytes of a container. Malformed headers give the one
 * IntegrityError (the header is attacker-controlled input until a tag verifies).
 */
export function parseContainerHeader(input: Uint8Array): ContainerHeader {
  if (input.length < CONTAINER_HEADER_BYTES) throw new IntegrityError();
  const bytes = Buffer.from(input.subarray(0, CONTAINER_HEADER_BYTES));
  const plaintextSize = Number(bytes.readBigUInt64BE(12));
  const chunkSize = bytes.readUInt32BE(8);
  const wellFormed =
    bytes.toString('latin1', 0, 4) === CONTAINER_MAGIC &&
    bytes[4] === CONTAINER_VERSION &&
    bytes[5] === 0 &&
    bytes[6] === 0 &&
    bytes[7] === 0 &&
    checkChunkSize(chunkSize) &&
    Number.isSafeInteger(plaintextSize);
  if (!wellFormed) throw new IntegrityError();
  return {
    version: CONTAINER_VERSION,
    chunkSize,
    plaintextSize,
    chunkCount: chunkCountOf(plaintextSize, chunkSize),
    sealId: bytes.subarray(20, 36),
    resourceIdHash: bytes.subarray(36, 68),
    bytes,
  };
}

/** tag_i = HMAC-SHA-256(mac_key, header ‖ u64 i ‖ u8 is_last ‖ IV ‖ ciphertext), the ciphertext given in pieces. */
function chunkTag(
  keys: ContainerKeys,
  header: ContainerHeader,
  index: number,
  iv: Uint8Array,
  ...ciphertext: Uint8Array[]
): Buffer {
  const isLast = Buffer.from([index === header.chunkCount - 1 ? 1 : 0]);
  return hmac('sha256', keys.macKey, header.bytes, uint64(index), isLast, iv, ...ciphertext);
}

/**
 * HAZMAT: seals chunk `index` (its plaintext must have exactly the length the layout
 * says). Only container.ts calls it, once per index under a fresh header: sealing an
 * index twice under one header would give two chunks the opener accepts alike.
 */
export function sealChunk(
  keys: ContainerKeys,
  header: ContainerHeader,
  index: number,
  plaintext: Uint8Array,
): Buffer {
  if (plaintext.length !== chunkPlaintextLength(header, index))
    throw new RangeError('chunk plaintext has the wrong length');
  const iv = randomBytes(AES_BLOCK_BYTES);
  const pieces = aesCbcEncryptParts(keys.encKey, iv, plaintext);
  return Buffer.concat([iv, ...pieces, chunkTag(keys, header, index, iv, ...pieces)]);
}

/**
 * Opens chunk `index` (random access): checks the resource binding, the exact
 * stored length and the tag (constant time) BEFORE decrypting; any failure is the
 * one IntegrityError and no plaintext of this chunk is returned. The plaintext
 * comes as a list of pieces (no final copy); `openChunk` joins them.
 */
export function openChunkParts(
  keys: ContainerKeys,
  header: ContainerHeader,
  index: number,
  chunk: Uint8Array,
): Buffer[] {
  if (!Number.isInteger(index) || index < 0 || index >= header.chunkCount) throw new IntegrityError();
  if (!tagsEqual(header.resourceIdHash, keys.resourceIdHash)) throw new IntegrityError();
  const expectedLength = chunkPlaintextLength(header, index);
  if (chunk.length !== storedChunkLength(expectedLength)) throw new IntegrityError();
  const iv = chunk.subarray(0, AES_BLOCK_BYTES);
  const ciphertext = chunk.subarray(AES_BLOCK_BYTES, chunk.length - HMAC_SHA256_BYTES);
  const tag = chunk.subarray(chunk.length - HMAC_SHA256_BYTES);
  if (!tagsEqual(tag, chunkTag(keys, header, index, iv, ciphertext))) throw new IntegrityError();
  const parts = aesCbcDecryptParts(keys.encKey, iv, ciphertext);
  // A verified tag with a wrong length means a sealer bug, not an attacker; still fail closed.
  let length = 0;
  for (const part of parts) length += part.length;
  if (length !== expectedLength) throw new IntegrityError();
  return parts;
}

/** Opens chunk `index` into one buffer (see openChunkParts). */
export function openChunk(
  keys: ContainerKeys,
  header: ContainerHeader,
  index: number,
  chunk: Uint8Array,
): Buffer {
  const parts = openChunkParts(keys, header, index, chunk);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
