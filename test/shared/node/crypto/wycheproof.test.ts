import { describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { hkdfSha256 } from '../../../../shared/node/crypto/kdf.ts';
import {
  aesCbcDecrypt,
  aesCbcEncrypt,
  hkdf,
  hmac,
  tagsEqual,
} from '../../../../shared/node/crypto/primitives.ts';
import { verifyBytes } from '../../../../shared/node/crypto/signing.ts';
import { x25519SharedSecret } from '../../../../shared/node/crypto/x25519.ts';
import { hex, loadVectors } from './wycheproof.ts';
import type { WycheproofGroup } from './wycheproof.ts';

function tests(groups: WycheproofGroup[], keep: (group: WycheproofGroup) => boolean = () => true) {
  return groups.filter(keep).flatMap((group) => group.tests.map((test) => ({ group, test })));
}

describe('Wycheproof AES-CBC-PKCS5 through our CBC wrapper (256-bit keys)', () => {
  const cases = tests(loadVectors('aes_cbc_pkcs5_test.json'), (group) => group['keySize'] === 256);

  it('has vectors for AES-256', () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  it('decrypts valid vectors exactly and encrypts them back; rejects invalid ones with the one error', () => {
    let valid = 0;
    let invalid = 0;
    for (const { test } of cases) {
      const key = hex(test, 'key');
      const iv = hex(test, 'iv');
      const ct = hex(test, 'ct');
      if (test.result === 'valid') {
        expect(aesCbcDecrypt(key, iv, ct).toString('hex'), `tcId ${test.tcId}`).toBe(test['msg']);
        expect(aesCbcEncrypt(key, iv, hex(test, 'msg')).toString('hex'), `tcId ${test.tcId}`).toBe(
          test['ct'],
        );
        valid++;
      } else {
        expect(() => aesCbcDecrypt(key, iv, ct), `tcId ${test.tcId}`).toThrow(IntegrityError);
        invalid++;
      }
    }
    expect(valid).toBeGreaterThan(0);
    expect(invalid).toBeGreaterThan(0);
  });
});

describe.each([
  ['sha256', 'hmac_sha256_test.json'],
  ['sha384', 'hmac_sha384_test.json'],
] as const)('Wycheproof HMAC-%s', (hash, file) => {
  it('accepts exactly the valid tags (full and truncated)', () => {
    const cases = tests(loadVectors(file));
    let checked = 0;
    for (const { test } of cases) {
      const tag = hex(test, 'tag');
      const computed = hmac(hash, hex(test, 'key'), hex(test, 'msg')).subarray(0, tag.length);
      expect(tagsEqual(computed, tag), `tcId ${test.tcId}`).toBe(test.result === 'valid');
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe.each([
  ['sha256', 'hkdf_sha256_test.json'],
  ['sha384', 'hkdf_sha384_test.json'],
] as const)('Wycheproof HKDF-%s', (hash, file) => {
  it('derives the expected output and refuses sizes over 255·HashLen', () => {
    const cases = tests(loadVectors(file));
    let rejected = 0;
    for (const { test } of cases) {
      const derive = () =>
        hash === 'sha256'
          ? hkdfSha256(hex(test, 'ikm'), hex(test, 'salt'), hex(test, 'info'), test['size'] as number)
          : hkdf(hash, hex(test, 'ikm'), hex(test, 'salt'), hex(test, 'info'), test['size'] as number);
      if (test.result === 'valid') {
        expect(derive().toString('hex'), `tcId ${test.tcId}`).toBe(test['okm']);
      } else {
        expect(derive, `tcId ${test.tcId}`).toThrow();
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});

describe('Wycheproof X25519', () => {
  it('computes valid shared secrets and rejects every all-zero secret with IntegrityError', () => {
    const cases = tests(loadVectors('x25519_test.json'));
    let zero = 0;
    let computed = 0;
    for (const { test } of cases) {
      const expected = hex(test, 'shared');
      const run = () => x25519SharedSecret(hex(test, 'private'), hex(test, 'public'));
      if (expected.every((byte) => byte === 0)) {
        expect(run, `tcId ${test.tcId}`).toThrow(IntegrityError);
        zero++;
      } else if (test.result === 'valid') {
        expect(run().toString('hex'), `tcId ${test.tcId}`).toBe(test['shared']);
        computed++;
      } else {
        // "acceptable" (twist points, non-canonical keys): either refuse, or compute correctly.
        let result: Buffer | undefined;
        try {
          result = run();
        } catch (error) {
          expect(error, `tcId ${test.tcId}`).toBeInstanceOf(IntegrityError);
        }
        if (result !== undefined) expect(result.toString('hex'), `tcId ${test.tcId}`).toBe(test['shared']);
        computed++;
      }
    }
    expect(zero).toBeGreaterThan(0);
    expect(computed).toBeGreaterThan(200);
  });
});

describe('Wycheproof Ed25519', () => {
  it('verifies exactly the valid signatures (malleable and malformed ones rejected)', () => {
    const groups = loadVectors('ed25519_test.json');
    let malleable = 0;
    let checked = 0;
    for (const group of groups) {
      const publicKey = Buffer.from((group['publicKey'] as { pk: string }).pk, 'hex');
      for (const test of group.tests) {
        const ok = verifyBytes(publicKey, hex(test, 'msg'), hex(test, 'sig'));
        expect(ok, `tcId ${test.tcId} ${test.comment}`).toBe(test.result === 'valid');
        if (test.flags.includes('SignatureMalleability')) malleable++;
        checked++;
      }
    }
    expect(malleable).toBeGreaterThan(0);
    expect(checked).toBe(151);
  });
});
