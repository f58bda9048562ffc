import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HARDWARE_HASH_DOMAIN, hardwareHash } from '../../../../shared/node/crypto/hardware-hash.ts';
import { MACHINE_KEK_SCRYPT, deriveMachineKek, hkdfSha256 } from '../../../../shared/node/crypto/kdf.ts';

const FAST = { N: 2 ** 14, r: 8, p: 1 };

describe('hardwareHash', () => {
  const salt = randomBytes(32);
  const components = { cpu: 'amd epyc', memory: '25769803776', machine_id: 'abc' };

  it('is 48 bytes, deterministic, independent of key order, and depends on the salt', () => {
    const hash = hardwareHash(components, salt);
    expect(hash.length).toBe(48);
    expect(
      hardwareHash({ machine_id: 'abc', memory: '25769803776', cpu: 'amd epyc' }, salt).equals(hash),
    ).toBe(true);
    expect(hardwareHash(components, randomBytes(32)).equals(hash)).toBe(false);
  });

  it('matches an independent computation of the documented encoding', () => {
    const lp = (value: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, value.length]), value]);
    const expected = createHash('sha384')
      .update(HARDWARE_HASH_DOMAIN)
      .update(Buffer.from([0, 0, 0, 2]))
      .update(lp(Buffer.from('a')))
      .update(lp(Buffer.from('1')))
      .update(lp(Buffer.from('b')))
      .update(lp(Buffer.from('')))
      .update(lp(salt))
      .digest();
    expect(hardwareHash({ b: '', a: '1' }, salt).equals(expected)).toBe(true);
  });

  it('is unambiguous: shifted boundaries, absent vs empty, and any changed value hash differently', () => {
    const hashes = [
      hardwareHash({ ab: 'c' }, salt),
      hardwareHash({ a: 'bc' }, salt),
      hardwareHash({ a: 'b', c: '' }, salt),
      hardwareHash({ a: 'b' }, salt),
      hardwareHash({}, salt),
      hardwareHash({ ...components, cpu: 'amd epyc ' }, salt),
      hardwareHash(components, salt),
    ].map((hash) => hash.toString('hex'));
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('rejects a short salt and lone surrogates', () => {
    expect(() => hardwareHash(components, randomBytes(8))).toThrow(RangeError);
    expect(() => hardwareHash({ cpu: '\ud800' }, salt)).toThrow(TypeError);
  });
});

describe('machine KEK (scrypt)', () => {
  const base = {
    password: 'correct horse',
    email: 'Ann@Example.com',
    hwHash: randomBytes(48),
    installSalt: randomBytes(32),
  };

  it('is 32 bytes, deterministic, and bound to password, email, hardware and install salt', async () => {
    const kek = await deriveMachineKek({ ...base, params: FAST });
    expect(kek.length).toBe(32);
    expect((await deriveMachineKek({ ...base, params: FAST })).equals(kek)).toBe(true);
    expect((await deriveMachineKek({ ...base, email: ' ann@example.com', params: FAST })).equals(kek)).toBe(
      true,
    );
    const variants = await Promise.all([
      deriveMachineKek({ ...base, password: 'correct horsf', params: FAST }),
      deriveMachineKek({ ...base, email: 'bob@example.com', params: FAST }),
      deriveMachineKek({ ...base, hwHash: randomBytes(48), params: FAST }),
      deriveMachineKek({ ...base, installSalt: randomBytes(32), params: FAST }),
      deriveMachineKek({ ...base, params: { ...FAST, N: 2 ** 15 } }),
    ]);
    for (const variant of variants) expect(variant.equals(kek)).toBe(false);
  });

  it('matches scrypt computed independently with the documented salt', async () => {
    const { scryptSync } = await import('node:crypto');
    const lp = (value: Buffer) => {
      const out = Buffer.alloc(4 + value.length);
      out.writeUInt32BE(value.length);
      value.copy(out, 4);
      return out;
    };
    const salt = createHash('sha384')
      .update('FactoryConsole/kek/v1')
      .update(lp(Buffer.from('ann@example.com')))
      .update(lp(base.hwHash))
      .update(lp(base.installSalt))
      .digest();
    const expected = scryptSync('correct horse', salt, 32, { N: FAST.N, r: 8, p: 1 });
    expect((await deriveMachineKek({ ...base, params: FAST })).equals(expected)).toBe(true);
  });

  it('uses the measured production cost and refuses unsafe parameters', async () => {
    expect(MACHINE_KEK_SCRYPT).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    await expect(deriveMachineKek({ ...base, params: { N: 2 ** 10, r: 8, p: 1 } })).rejects.toThrow(
      RangeError,
    );
    await expect(deriveMachineKek({ ...base, params: { N: 3 * 2 ** 14, r: 8, p: 1 } })).rejects.toThrow(
      RangeError,
    );
    await expect(deriveMachineKek({ ...base, params: { N: 2 ** 30, r: 8, p: 1 } })).rejects.toThrow(
      RangeError,
    );
    await expect(deriveMachineKek({ ...base, password: '', params: FAST })).rejects.toThrow(RangeError);
    const kek = await deriveMachineKek({ ...base, params: MACHINE_KEK_SCRYPT });
    expect(kek.length).toBe(32);
  });
});

describe('hkdfSha256', () => {
  it('matches RFC 5869 test case 1', () => {
    const okm = hkdfSha256(
      Buffer.from('0b'.repeat(22), 'hex'),
      Buffer.from('000102030405060708090a0b0c', 'hex'),
      Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex'),
      42,
    );
    expect(okm.toString('hex')).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });
});
