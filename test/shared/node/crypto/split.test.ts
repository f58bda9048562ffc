import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openContainerBuffer, sealContainerBuffer } from '../../../../shared/node/crypto/container.ts';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import {
  SMALL_PART_MAX_BYTES,
  joinParts,
  joinPartsStream,
  sha256Hex,
  smallPartSize,
  splitContainer,
} from '../../../../shared/node/crypto/split.ts';
import { drain, isIntegrity, pieces } from './container-helpers.ts';

describe('split and join', () => {
  it('small = min(3 KiB, 30 %)', () => {
    expect(smallPartSize(0)).toBe(0);
    expect(smallPartSize(10)).toBe(3);
    expect(smallPartSize(1000)).toBe(300);
    expect(smallPartSize(10_240)).toBe(3072);
    expect(smallPartSize(10_241)).toBe(SMALL_PART_MAX_BYTES);
    expect(smallPartSize(10 ** 9)).toBe(SMALL_PART_MAX_BYTES);
  });

  it.each([100, 5000, 200_000])('a container of %i plaintext bytes splits, joins and opens', async (size) => {
    const dek = randomBytes(32);
    const plaintext = randomBytes(size);
    const container = sealContainerBuffer(plaintext, { dek, resourceId: 'r', chunkSize: 4096 });
    const { small, big } = splitContainer(container);
    expect(small.length).toBe(smallPartSize(container.length));
    expect(small.length + big.length).toBe(container.length);
    const hashes = { smallSha256: sha256Hex(small), bigSha256: sha256Hex(big) };
    const joined = joinParts({ small, big, ...hashes });
    expect(openContainerBuffer(joined, { dek, resourceId: 'r' }).equals(plaintext)).toBe(true);
    const streamed = await drain(
      joinPartsStream(small, pieces(big, [999]), { ...hashes, bigSize: big.length }),
    );
    expect(streamed.error).toBeUndefined();
    expect(streamed.released.equals(container)).toBe(true);
  });

  it('a part that does not match its manifest hash (or size) is the one error', async () => {
    const container = sealContainerBuffer(randomBytes(20_000), {
      dek: randomBytes(32),
      resourceId: 'r',
      chunkSize: 4096,
    });
    const { small, big } = splitContainer(container);
    const hashes = { smallSha256: sha256Hex(small), bigSha256: Buffer.from(sha256Hex(big), 'hex') };
    const flipped = Buffer.from(big);
    flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 1;
    expect(() => joinParts({ small, big: flipped, ...hashes })).toThrow(IntegrityError);
    expect(() => joinParts({ small: big.subarray(0, small.length), big, ...hashes })).toThrow(IntegrityError);
    expect(() =>
      joinParts({ small, big, ...hashes, smallSha256: hashes.smallSha256.toUpperCase() }),
    ).not.toThrow();
    expect(() => joinParts({ small, big, ...hashes, smallSha256: 'zz' })).toThrow(RangeError);

    const damagedBig = await drain(joinPartsStream(small, [flipped], hashes));
    expect(isIntegrity(damagedBig.error)).toBe(true);
    const damagedSmall = await drain(joinPartsStream(Buffer.alloc(small.length), [big], hashes));
    expect(isIntegrity(damagedSmall.error)).toBe(true);
    expect(damagedSmall.released.length).toBe(0);
    const longer = await drain(
      joinPartsStream(small, [big, Buffer.from([1])], { ...hashes, bigSize: big.length }),
    );
    expect(isIntegrity(longer.error)).toBe(true);
    const shorter = await drain(
      joinPartsStream(small, [big.subarray(1)], { ...hashes, bigSize: big.length }),
    );
    expect(isIntegrity(shorter.error)).toBe(true);
  });
});
