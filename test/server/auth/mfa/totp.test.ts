/**
 * TOTP against the published RFC 6238 vectors (vendored under test/fixtures/rfc6238),
 * the ±1 step window, and the at-rest seal of secrets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import {
  newTotpSecret,
  openSecret,
  otpauthUrl,
  sealSecret,
  totpCode,
  totpSealKey,
  totpStepOf,
} from '../../../../server/auth/mfa/totp.ts';

const fixture = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, '../../../fixtures/rfc6238/totp-sha1-vectors.json'), 'utf8'),
) as { secret_ascii: string; vectors: Array<{ time_s: number; step_hex: string; totp: string }> };
const rfcSecret = Secret.fromLatin1(fixture.secret_ascii).base32;

describe('TOTP (RFC 6238)', () => {
  it('computes every SHA-1 vector of Appendix B (six-digit form)', () => {
    expect(fixture.vectors).toHaveLength(6);
    for (const vector of fixture.vectors) {
      expect(totpCode(rfcSecret, vector.time_s * 1000)).toBe(vector.totp.slice(-6));
      expect(totpStepOf(rfcSecret, vector.totp.slice(-6), vector.time_s * 1000)).toBe(
        Number.parseInt(vector.step_hex, 16),
      );
    }
  });

  it('accepts one step of skew either way and nothing further', () => {
    const now = 1_111_111_111_000;
    const step = Math.floor(now / 30_000);
    for (const offset of [-1, 0, 1]) {
      expect(totpStepOf(rfcSecret, totpCode(rfcSecret, now + offset * 30_000), now)).toBe(step + offset);
    }
    for (const offset of [-2, 2]) {
      expect(totpStepOf(rfcSecret, totpCode(rfcSecret, now + offset * 30_000), now)).toBeUndefined();
    }
    expect(totpStepOf(rfcSecret, 'abcdef', now)).toBeUndefined();
    expect(totpStepOf(rfcSecret, '1234567', now)).toBeUndefined();
  });

  it('makes 160-bit secrets and an otpauth URL an authenticator app reads', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const url = new URL(otpauthUrl(secret, 'alice@example.test'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('algorithm')).toBe('SHA1');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
    expect(url.searchParams.get('issuer')).toBe('Factory API');
  });

  it('seals secrets bound to their account; a wrong account or an edit fails', () => {
    const key = totpSealKey(Buffer.alloc(32, 7));
    const sealed = sealSecret(key, 'JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(openSecret(key, sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => openSecret(key, sealed, 'user-2')).toThrow();
    const parts = sealed.split('.');
    parts[2] = Buffer.from('x').toString('base64url') + parts[2]!.slice(2);
    expect(() => openSecret(key, parts.join('.'), 'user-1')).toThrow();
    expect(() => openSecret(totpSealKey(Buffer.alloc(32, 8)), sealed, 'user-1')).toThrow();
  });
});
