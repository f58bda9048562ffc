import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chunkRange,
  parseContainerHeader,
  sealContainerBuffer,
} from '../../../../shared/node/crypto/container.ts';
import {
  ContainerOpenPool,
  MIN_PARALLEL_CHUNKS,
  openContainerParallel,
} from '../../../../shared/node/crypto/parallel-open.ts';
import { drain, isIntegrity, pieces } from './container-helpers.ts';

const CHUNK = 1024;
const resourceId = 'res-parallel';

describe('parallel open (worker threads)', () => {
  const dek = randomBytes(32);
  const plaintext = randomBytes(9 * CHUNK + 333);
  const sealed = sealContainerBuffer(plaintext, { dek, resourceId, chunkSize: CHUNK });
  const header = parseContainerHeader(sealed);
  const ranges = Array.from({ length: header.chunkCount }, (_, index) => chunkRange(header, index));
  const shared = new ContainerOpenPool(2);
  afterAll(async () => {
    await shared.close();
  });

  it('opens in order from pieces, one buffer, and a Readable', async () => {
    expect(header.chunkCount).toBeGreaterThanOrEqual(MIN_PARALLEL_CHUNKS);
    for (const source of [
      pieces(sealed, [100, 4000, 7]),
      [sealed],
      Readable.from(pieces(sealed, [65_536])),
    ]) {
      const { released, error } = await drain(shared.open(source, { dek, resourceId }));
      expect(error).toBeUndefined();
      expect(released.equals(plaintext)).toBe(true);
    }
  });

  it('the one-shot form opens with 1 and 3 workers', async () => {
    for (const workers of [1, 3]) {
      const { released, error } = await drain(
        openContainerParallel(pieces(sealed), { dek, resourceId, workers }),
      );
      expect(error).toBeUndefined();
      expect(released.equals(plaintext)).toBe(true);
    }
  });

  it('opens small containers (fewer chunks than the threshold) without workers', async () => {
    const small = randomBytes(CHUNK + 1);
    const { released, error } = await drain(
      openContainerParallel([sealContainerBuffer(small, { dek, resourceId, chunkSize: CHUNK })], {
        dek,
        resourceId,
        workers: 2,
      }),
    );
    expect(error).toBeUndefined();
    expect(released.equals(small)).toBe(true);
  });

  it('a bad chunk anywhere: the one error, only the chunks before it released', async () => {
    for (const failing of [0, 1, 4, header.chunkCount - 1]) {
      const damaged = Buffer.from(sealed);
      const position = ranges[failing]!.start + 20;
      damaged[position] = damaged[position]! ^ 0x01;
      const { released, error } = await drain(shared.open(pieces(damaged), { dek, resourceId }));
      expect(isIntegrity(error)).toBe(true);
      expect(released.equals(plaintext.subarray(0, failing * CHUNK))).toBe(true);
    }
  });

  it('with the caller as a lane: in order, and a bad chunk in either lane is the one error', async () => {
    const pool = new ContainerOpenPool(1, { callerLane: true });
    try {
      const { released, error } = await drain(pool.open(pieces(sealed, [333, 70_000]), { dek, resourceId }));
      expect(error).toBeUndefined();
      expect(released.equals(plaintext)).toBe(true);
      // Two lanes: even chunks go to the worker, odd ones stay on the calling thread.
      for (const failing of [2, 3, header.chunkCount - 1]) {
        const damaged = Buffer.from(sealed);
        const position = ranges[failing]!.end - 1;
        damaged[position] = damaged[position]! ^ 0x80;
        const result = await drain(pool.open(pieces(damaged), { dek, resourceId }));
        expect(isIntegrity(result.error)).toBe(true);
        expect(result.released.equals(plaintext.subarray(0, failing * CHUNK))).toBe(true);
      }
      const truncated = await drain(pool.open([sealed.subarray(0, ranges[3]!.end - 5)], { dek, resourceId }));
      expect(isIntegrity(truncated.error)).toBe(true);
      expect(truncated.released.equals(plaintext.subarray(0, 3 * CHUNK))).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('truncation, extension, swapped chunks and a wrong resource are rejected', async () => {
    const [a, b] = [ranges[2]!, ranges[3]!];
    const cases: Array<[Buffer, number]> = [
      [sealed.subarray(0, ranges[5]!.start), 5],
      [sealed.subarray(0, ranges[5]!.start + 10), 5],
      [sealed.subarray(0, sealed.length - 1), header.chunkCount - 1],
      [
        Buffer.concat([
          sealed.subarray(0, a.start),
          sealed.subarray(b.start, b.end),
          sealed.subarray(a.start, a.end),
          sealed.subarray(b.end),
        ]),
        2,
      ],
    ];
    for (const [bytes, failing] of cases) {
      const { released, error } = await drain(shared.open([bytes], { dek, resourceId }));
      expect(isIntegrity(error)).toBe(true);
      expect(released.equals(plaintext.subarray(0, failing * CHUNK))).toBe(true);
    }
    const extended = await drain(
      shared.open([sealed, sealed.subarray(ranges[0]!.start, ranges[0]!.end)], { dek, resourceId }),
    );
    expect(isIntegrity(extended.error)).toBe(true);
    expect(extended.released.equals(plaintext)).toBe(true);
    const wrong = await drain(shared.open([sealed], { dek, resourceId: 'other' }));
    expect(isIntegrity(wrong.error)).toBe(true);
    expect(wrong.released.length).toBe(0);
  });

  it('a consumer that stops early ends the open cleanly', async () => {
    const generator = openContainerParallel([sealed], { dek, resourceId, workers: 2 });
    const first = await generator.next();
    expect(first.done).toBe(false);
    await generator.return(undefined);
    const after = await generator.next();
    expect(after.done).toBe(true);
  });

  describe('a long-lived pool', () => {
    const pool = new ContainerOpenPool(2);
    afterAll(async () => {
      await pool.close();
    });

    it('opens several containers at once, keeping each in order and each failure to itself', async () => {
      const other = randomBytes(6 * CHUNK);
      const otherSealed = sealContainerBuffer(other, { dek, resourceId: 'res-other', chunkSize: CHUNK });
      const damaged = Buffer.from(sealed);
      damaged[ranges[3]!.start + 40] = damaged[ranges[3]!.start + 40]! ^ 0x10;
      const [a, b, c] = await Promise.all([
        drain(pool.open(pieces(sealed), { dek, resourceId })),
        drain(pool.open([otherSealed], { dek, resourceId: 'res-other' })),
        drain(pool.open([damaged], { dek, resourceId })),
      ]);
      expect(pool.size).toBe(2);
      expect(a.error).toBeUndefined();
      expect(a.released.equals(plaintext)).toBe(true);
      expect(b.error).toBeUndefined();
      expect(b.released.equals(other)).toBe(true);
      expect(isIntegrity(c.error)).toBe(true);
      expect(c.released.equals(plaintext.subarray(0, 3 * CHUNK))).toBe(true);
      // The pool still works after a failure.
      expect((await drain(pool.open([sealed], { dek, resourceId }))).released.equals(plaintext)).toBe(true);
    });
  });

  it('closing a pool fails an open in progress instead of hanging', async () => {
    const pool = new ContainerOpenPool(2);
    const generator = pool.open(pieces(sealed), { dek, resourceId });
    expect((await generator.next()).done).toBe(false);
    await pool.close();
    const during = await drain(generator);
    expect(String(during.error)).toMatch(/ContainerOpenPool is closed/);
    expect(isIntegrity(during.error)).toBe(false);
    const after = await drain(pool.open([sealed], { dek, resourceId }));
    expect(String(after.error)).toMatch(/ContainerOpenPool is closed/);
    expect(after.released.length).toBe(0);
  });
});
