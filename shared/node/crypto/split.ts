/**
 * The split of a sealed container (docs/SECURITY.md §The split): the small head goes to the
 * authenticated API (and into the envelope), the big rest to the CDN. Joining
 * checks each part against the SHA-256 from the signed manifest.
 */
import { createHash } from 'node:crypto';
import { IntegrityError } from './errors.ts';
import { tagsEqual } from './primitives.ts';

/** Upper bound of the small part. */
export const SMALL_PART_MAX_BYTES = 3 * 1024;

/** SHA-256 as raw bytes or lower/upper-case hex, as manifests carry it. */
export type Sha256 = Uint8Array | string;

/** Size of the small part: `min(3 KiB, ⌊30 % of the container⌋)`. Needs only the size, so it works on streams. */
export function smallPartSize(containerSize: number): number {
  if (!Number.isSafeInteger(containerSize) || containerSize < 0)
    throw new RangeError('containerSize must be a non-negative integer');
  return Math.min(SMALL_PART_MAX_BYTES, Math.floor((containerSize * 3) / 10));
}

/** Splits a whole container into its small head and big rest (copies; the input may be reused). */
export function splitContainer(container: Uint8Array): { small: Buffer; big: Buffer } {
  const cut = smallPartSize(container.length);
  return { small: Buffer.from(container.subarray(0, cut)), big: Buffer.from(container.subarray(cut)) };
}

/** SHA-256 of bytes as lower-case hex (the manifest's form). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function digestBytes(expected: Sha256): Buffer {
  if (typeof expected !== 'string') return Buffer.from(expected);
  if (!/^[0-9a-fA-F]{64}$/.test(expected)) throw new RangeError('expected SHA-256 must be 64 hex digits');
  return Buffer.from(expected, 'hex');
}

function matches(actual: Buffer, expected: Sha256): boolean {
  return tagsEqual(actual, digestBytes(expected));
}

/** Joins both parts after checking each against its manifest hash; a mismatch is the one IntegrityError. */
export function joinParts(input: {
  small: Uint8Array;
  big: Uint8Array;
  smallSha256: Sha256;
  bigSha256: Sha256;
}): Buffer {
  const smallOk = matches(createHash('sha256').update(input.small).digest(), input.smallSha256);
  const bigOk = matches(createHash('sha256').update(input.big).digest(), input.bigSha256);
  if (!smallOk || !bigOk) throw new IntegrityError();
  return Buffer.concat([input.small, input.big]);
}

/**
 * Streams the joined container: checks the small part first, passes the big part
 * through while hashing it, and throws the one IntegrityError at the end if its
 * hash (or, when given, its size) does not match. The bytes passed through are
 * not yet trusted; the container opener's per-chunk MACs guard them, and the
 * caller keeps the result only when this generator completes.
 */
export async function* joinPartsStream(
  small: Uint8Array,
  big: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  expected: { smallSha256: Sha256; bigSha256: Sha256; bigSize?: number },
): AsyncGenerator<Buffer> {
  if (!matches(createHash('sha256').update(small).digest(), expected.smallSha256)) throw new IntegrityError();
  const expectedBig = digestBytes(expected.bigSha256);
  yield Buffer.from(small);
  const hash = createHash('sha256');
  let size = 0;
  for await (const piece of big) {
    size += piece.length;
    if (expected.bigSize !== undefined && size > expected.bigSize) throw new IntegrityError();
    hash.update(piece);
    yield Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
  }
  if (expected.bigSize !== undefined && size !== expected.bigSize) throw new IntegrityError();
  if (!tagsEqual(hash.digest(), expectedBig)) throw new IntegrityError();
}
