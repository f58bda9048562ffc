import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { openSecret, sealSecret } from '../../../../shared/node/crypto/secret-box.ts';

describe('secret box (AES-256-CBC + HMAC-SHA-256)', () => {
  const key = randomBytes(32);
  const aad = Buffer.from('machine-key/v1');
  const secret = randomBytes(32);
  const box = sealSecret(key, secret, aad);

  it('round-trips, including empty and block-sized secrets; each seal is fresh', () => {
    expect(openSecret(key, box, aad).equals(secret)).toBe(true);
    for (const size of [0, 15, 16, 17, 1000]) {
      const value = randomBytes(size);
      expect(openSecret(key, sealSecret(key, value, aad), aad).equals(value)).toBe(true);
    }
    expect(sealSecret(key, secret, aad).equals(box)).toBe(false);
  });

  it('wrong key or aad, flipped bits, truncation: IntegrityError', () => {
    expect(() => openSecret(randomBytes(32), box, aad)).toThrow(IntegrityError);
    expect(() => openSecret(key, box, Buffer.from('machine-key/v2'))).toThrow(IntegrityError);
    expect(() => openSecret(key, box, Buffer.alloc(0))).toThrow(IntegrityError);
    for (let position = 0; position < box.length; position++) {
      const damaged = Buffer.from(box);
      damaged[position] = damaged[position]! ^ 1;
      expect(() => openSecret(key, damaged, aad), `byte ${position}`).toThrow(IntegrityError);
    }
    for (let length = 0; length < box.length; length += 7) {
      expect(() => openSecret(key, box.subarray(0, length), aad)).toThrow(IntegrityError);
    }
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => sealSecret(randomBytes(16), secret, aad)).toThrow(RangeError);
  });
});
