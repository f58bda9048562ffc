import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTAINER_HEADER_BYTES,
  chunkRange,
  containerSize,
  deriveContainerKeys,
  openChunk,
  openContainer,
  openContainerBuffer,
  parseContainerHeader,
  sealContainer,
  sealContainerBuffer,
} from '../../../../shared/node/crypto/container.ts';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { drain, isIntegrity, pieces } from './container-helpers.ts';

const CHUNK = 64;
const resourceId = 'res-1';

async function collect(generator: AsyncGenerator<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of generator) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

describe('FCR1 round trips', () => {
  const sizes = [
    0,
    1,
    15,
    16,
    17,
    CHUNK - 1,
    CHUNK,
    CHUNK + 1,
    2 * CHUNK - 1,
    2 * CHUNK,
    2 * CHUNK + 1,
    5 * CHUNK + 17,
  ];
  it.each(sizes)('%i bytes: streaming seal → streaming open, buffer open, random access', async (size) => {
    const dek = randomBytes(32);
    const plaintext = randomBytes(size);
    const sealed = await collect(
      sealContainer(pieces(plaintext, [5, 33]), { dek, resourceId, plaintextSize: size, chunkSize: CHUNK }),
    );
    expect(sealed.length).toBe(containerSize(size, CHUNK));
    expect(sealed.subarray(0, 4).toString('latin1')).toBe('FCR1');
    expect((await collect(openContainer(pieces(sealed), { dek, resourceId }))).equals(plaintext)).toBe(true);
    expect(openContainerBuffer(sealed, { dek, resourceId }).equals(plaintext)).toBe(true);
    expect((await collect(openContainer(sealed, { dek, resourceId }))).equals(plaintext)).toBe(true);

    const header = parseContainerHeader(sealed);
    expect(header.plaintextSize).toBe(size);
    expect(header.chunkCount).toBe(Math.max(1, Math.ceil(size / CHUNK)));
    const keys = deriveContainerKeys(dek, resourceId);
    for (let index = header.chunkCount - 1; index >= 0; index--) {
      const { start, end } = chunkRange(header, index);
      const chunk = openChunk(keys, header, index, sealed.subarray(start, end));
      expect(chunk.equals(plaintext.subarray(index * CHUNK, (index + 1) * CHUNK))).toBe(true);
    }
  });

  it('the buffer sealer and the streaming sealer agree on layout; two seals never share bytes', async () => {
    const dek = randomBytes(32);
    const plaintext = randomBytes(3 * CHUNK);
    const a = sealContainerBuffer(plaintext, { dek, resourceId, chunkSize: CHUNK });
    const b = await collect(
      sealContainer([plaintext], { dek, resourceId, plaintextSize: plaintext.length, chunkSize: CHUNK }),
    );
    expect(a.length).toBe(b.length);
    expect(a.subarray(0, 20).equals(b.subarray(0, 20))).toBe(true); // magic, version, sizes
    expect(a.subarray(20, 36).equals(b.subarray(20, 36))).toBe(false); // seal id
    expect(a.subarray(CONTAINER_HEADER_BYTES).equals(b.subarray(CONTAINER_HEADER_BYTES))).toBe(false);
  });

  it('the sealer refuses a source that is shorter or longer than plaintextSize', async () => {
    const dek = randomBytes(32);
    const seal = (bytes: Buffer, size: number) =>
      collect(sealContainer([bytes], { dek, resourceId, plaintextSize: size, chunkSize: CHUNK }));
    await expect(seal(randomBytes(100), 101)).rejects.toThrow(RangeError);
    await expect(seal(randomBytes(100), 99)).rejects.toThrow(RangeError);
  });

  it('property: any size, chunk size and piece sizes round-trip', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 16 }).map((blocks) => blocks * 16),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 5 }),
        async (size, chunkSize, pieceSizes) => {
          const dek = randomBytes(32);
          const plaintext = randomBytes(size);
          const sealed = sealContainerBuffer(plaintext, { dek, resourceId, chunkSize });
          expect(sealed.length).toBe(containerSize(size, chunkSize));
          const opened = await collect(openContainer(pieces(sealed, pieceSizes), { dek, resourceId }));
          expect(opened.equals(plaintext)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('FCR1 bad input: the one error, and no plaintext of the failed chunk', () => {
  const dek = randomBytes(32);
  const plaintext = randomBytes(3 * CHUNK + 20); // 4 chunks, the last one short
  const sealed = sealContainerBuffer(plaintext, { dek, resourceId, chunkSize: CHUNK });
  const header = parseContainerHeader(sealed);
  const ranges = Array.from({ length: header.chunkCount }, (_, index) => chunkRange(header, index));
  /** Index of the chunk that holds byte `position` (the header counts as chunk 0: every tag covers it). */
  const chunkAt = (position: number) =>
    Math.max(
      0,
      ranges.findIndex((range) => position < range.end),
    );

  async function expectRejected(bytes: Buffer, failingChunk: number) {
    expect(() => openContainerBuffer(bytes, { dek, resourceId })).toThrow(IntegrityError);
    const { released, error } = await drain(openContainer(pieces(bytes), { dek, resourceId }));
    expect(isIntegrity(error)).toBe(true);
    // Exactly the chunks before the failing one were released, and they are authentic.
    expect(released.equals(plaintext.subarray(0, failingChunk * CHUNK))).toBe(true);
  }

  it('has 4 chunks', () => {
    expect(header.chunkCount).toBe(4);
  });

  it('a flipped bit at every byte position', async () => {
    for (let position = 0; position < sealed.length; position++) {
      const damaged = Buffer.from(sealed);
      damaged[position] = damaged[position]! ^ (1 << (position % 8));
      await expectRejected(damaged, chunkAt(position));
    }
  });

  it('truncation at every length (chunk boundaries and inside chunks)', async () => {
    for (let length = 0; length < sealed.length; length++) {
      const complete = ranges.filter((range) => range.end <= length).length;
      await expectRejected(sealed.subarray(0, length), complete);
    }
  });

  it('swapped chunks', async () => {
    const [a, b] = [ranges[1]!, ranges[2]!];
    const swapped = Buffer.concat([
      sealed.subarray(0, a.start),
      sealed.subarray(b.start, b.end),
      sealed.subarray(a.start, a.end),
      sealed.subarray(b.end),
    ]);
    await expectRejected(swapped, 1);
  });

  it('a chunk from another resource, and from another seal of the same resource and DEK', async () => {
    for (const other of [
      sealContainerBuffer(plaintext, { dek, resourceId: 'res-2', chunkSize: CHUNK }),
      sealContainerBuffer(plaintext, { dek, resourceId, chunkSize: CHUNK }),
    ]) {
      const { start, end } = ranges[2]!;
      const mixed = Buffer.concat([
        sealed.subarray(0, start),
        other.subarray(start, end),
        sealed.subarray(end),
      ]);
      await expectRejected(mixed, 2);
    }
  });

  it('an appended chunk or byte: all real chunks open, then the one error', async () => {
    const last = ranges[3]!;
    for (const extra of [
      sealed.subarray(last.start, last.end),
      sealed.subarray(ranges[0]!.start, ranges[0]!.end),
      Buffer.from([0]),
    ]) {
      const extended = Buffer.concat([sealed, extra]);
      expect(() => openContainerBuffer(extended, { dek, resourceId })).toThrow(IntegrityError);
      const { released, error } = await drain(openContainer(pieces(extended), { dek, resourceId }));
      expect(isIntegrity(error)).toBe(true);
      expect(released.equals(plaintext)).toBe(true);
    }
  });

  it('a wrong DEK or resource id opens nothing', async () => {
    for (const options of [
      { dek: randomBytes(32), resourceId },
      { dek, resourceId: 'res-2' },
    ]) {
      expect(() => openContainerBuffer(sealed, options)).toThrow(IntegrityError);
      const { released, error } = await drain(openContainer([sealed], options));
      expect(isIntegrity(error)).toBe(true);
      expect(released.length).toBe(0);
    }
  });

  it('the error says nothing about what failed', async () => {
    const messages = new Set<string>();
    for (const bytes of [
      sealed.subarray(0, 10),
      sealed.subarray(0, ranges[1]!.start + 5),
      Buffer.concat([sealed, Buffer.from([1])]),
    ]) {
      try {
        openContainerBuffer(bytes, { dek, resourceId });
      } catch (error) {
        messages.add(String(error));
      }
    }
    expect(messages.size).toBe(1);
  });

  it('property: a random bit flip anywhere is rejected', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sealed.length * 8 - 1 }), (bit) => {
        const damaged = Buffer.from(sealed);
        damaged[bit >> 3] = damaged[bit >> 3]! ^ (1 << (bit & 7));
        expect(() => openContainerBuffer(damaged, { dek, resourceId })).toThrow(IntegrityError);
      }),
      { numRuns: 300 },
    );
  });
});
