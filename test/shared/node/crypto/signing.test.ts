import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../../shared/common/canonical-json.ts';
import {
  generateSigningKeyPair,
  signBytes,
  signCanonical,
  signingPublicKeyOf,
  verifyBytes,
  verifyCanonical,
} from '../../../../shared/node/crypto/signing.ts';

describe('Ed25519 over canonical JSON', () => {
  const keys = generateSigningKeyPair();
  const manifest = {
    resource_id: 'r1',
    sizes: { small: 3072, big: 1000 },
    sha256: { small: 'aa', big: 'bb' },
  };
  const signature = signCanonical(keys.privateKey, manifest);

  it('has raw 32-byte keys; the public key follows from the private seed', () => {
    expect(keys.publicKey.length).toBe(32);
    expect(keys.privateKey.length).toBe(32);
    expect(signingPublicKeyOf(keys.privateKey).equals(keys.publicKey)).toBe(true);
  });

  it('verifies the same data in any member order, and nothing else', () => {
    expect(Buffer.from(signature, 'base64').length).toBe(64);
    expect(
      verifyCanonical(
        keys.publicKey,
        { sha256: { big: 'bb', small: 'aa' }, sizes: { big: 1000, small: 3072 }, resource_id: 'r1' },
        signature,
      ),
    ).toBe(true);
    expect(verifyCanonical(keys.publicKey, { ...manifest, resource_id: 'r2' }, signature)).toBe(false);
    expect(verifyCanonical(generateSigningKeyPair().publicKey, manifest, signature)).toBe(false);
    expect(verifyCanonical(keys.publicKey, manifest, signature.slice(0, -4) + 'AAA=')).toBe(false);
    expect(verifyCanonical(keys.publicKey, manifest, `${signature} `)).toBe(false);
    expect(verifyCanonical(keys.publicKey, manifest, 'not base64')).toBe(false);
    expect(verifyCanonical(keys.publicKey, { bad: NaN }, signature)).toBe(false);
  });

  it('raw signatures: every flipped bit is rejected', () => {
    const message = Buffer.from('checkpoint 42');
    const raw = signBytes(keys.privateKey, message);
    expect(verifyBytes(keys.publicKey, message, raw)).toBe(true);
    for (let bit = 0; bit < raw.length * 8; bit++) {
      const damaged = Buffer.from(raw);
      damaged[bit >> 3] = damaged[bit >> 3]! ^ (1 << (bit & 7));
      expect(verifyBytes(keys.publicKey, message, damaged)).toBe(false);
    }
    expect(verifyBytes(keys.publicKey, message, raw.subarray(0, 63))).toBe(false);
    expect(verifyBytes(keys.publicKey.subarray(0, 31), message, raw)).toBe(false);
  });

  it('a signature we make verifies with the openssl CLI (independent implementation)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fc-ed25519-'));
    try {
      const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), keys.publicKey]);
      await writeFile(join(dir, 'pub.der'), spki);
      await writeFile(join(dir, 'msg'), canonicalJson(manifest));
      await writeFile(join(dir, 'sig'), Buffer.from(signature, 'base64'));
      const out = execFileSync(
        'openssl',
        [
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          join(dir, 'pub.der'),
          '-keyform',
          'DER',
          '-rawin',
          '-in',
          join(dir, 'msg'),
          '-sigfile',
          join(dir, 'sig'),
        ],
        { timeout: 10_000 },
      ).toString();
      expect(out).toMatch(/Signature Verified Successfully/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
