/** Shared helpers of the container tests: collect a generator's output and stop at the first error. */
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';

export interface Drained {
  released: Buffer;
  error: unknown;
}

/** Runs an opener to the end; returns what it released before failing, and the error (if any). */
export async function drain(generator: AsyncGenerator<Buffer>): Promise<Drained> {
  const parts: Buffer[] = [];
  try {
    for await (const part of generator) parts.push(Buffer.from(part));
    return { released: Buffer.concat(parts), error: undefined };
  } catch (error) {
    return { released: Buffer.concat(parts), error };
  }
}

/** Splits bytes into pieces of a few sizes, as a network or file stream would deliver them. */
export function pieces(bytes: Buffer, sizes: readonly number[] = [7, 64, 1, 300]): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    out.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return out;
}

/** True when `error` is the one integrity error. */
export function isIntegrity(error: unknown): boolean {
  return error instanceof IntegrityError;
}
