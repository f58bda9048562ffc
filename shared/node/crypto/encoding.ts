/**
 * Unambiguous byte encodings for values that are hashed, MACed or fed to a KDF
 * together. Plain concatenation is ambiguous ("ab" ‖ "c" = "a" ‖ "bc"); every
 * variable-length field here carries a 4-byte big-endian length prefix.
 */

const utf8 = new TextEncoder();

/** A UTF-8 string or bytes, length-prefixed (u32 big-endian). */
export function lengthPrefixed(value: string | Uint8Array): Buffer {
  const bytes = typeof value === 'string' ? utf8.encode(value) : value;
  const out = Buffer.allocUnsafe(4 + bytes.length);
  out.writeUInt32BE(bytes.length, 0);
  out.set(bytes, 4);
  return out;
}

/** A non-negative safe integer as 8 bytes big-endian. */
export function uint64(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError('uint64: expected a non-negative safe integer');
  const out = Buffer.allocUnsafe(8);
  out.writeBigUInt64BE(BigInt(value), 0);
  return out;
}

/** Strict UTF-8 of a string; rejects lone surrogates (which would encode as U+FFFD and collide). */
export function strictUtf8(value: string, what: string): Buffer {
  if (!value.isWellFormed()) throw new TypeError(`${what} is not well-formed Unicode`);
  return Buffer.from(value, 'utf8');
}
