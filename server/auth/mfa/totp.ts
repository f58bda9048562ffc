/**
 * TOTP (RFC 6238) as authenticator apps expect it: HMAC-SHA-1, 30-second steps, 6
 * digits, a 160-bit secret (RFC 4226 §4 recommends ≥ 128). The arithmetic is
 * `otpauth`'s; this file fixes the parameters, finds *which* step a code belongs to (so
 * the caller can refuse a second use of that step), and seals secrets at rest.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
export const TOTP_ALGORITHM = 'SHA1';
/** Steps of clock difference tolerated either way. */
export const TOTP_WINDOW = 1;
export const TOTP_ISSUER = 'Factory API';

/** A fresh 160-bit secret, base32 (what an authenticator app is given). Secret: show once. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpOf(secretBase32: string, label = 'account'): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The `otpauth://totp/…` URI for a QR code (Key Uri Format). Contains the secret. */
export function otpauthUrl(secretBase32: string, account: string): string {
  return totpOf(secretBase32, account).toString();
}

/** The code for a time (tests, the bench, and the CLI's own tests compute codes with it). */
export function totpCode(secretBase32: string, nowMs = Date.now()): string {
  return totpOf(secretBase32).generate({ timestamp: nowMs });
}

/** The time step a code belongs to within ±{@link TOTP_WINDOW} of `nowMs`, or undefined. */
export function totpStepOf(secretBase32: string, code: string, nowMs = Date.now()): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpOf(secretBase32).validate({ token: code, timestamp: nowMs, window: TOTP_WINDOW });
  if (delta === null) return undefined;
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_S) + delta;
}

/** The key that seals TOTP secrets, derived from the server's master key (HKDF-SHA-256). */
export function totpSealKey(masterKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'factory-api/totp-seal/v1', 32));
}

/** AES-256-GCM: `v1.<iv>.<ciphertext>.<tag>` (base64url), bound to the account by AAD. */
export function sealSecret(key: Buffer, secret: string, userId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(userId));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv, body, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function openSecret(key: Buffer, sealed: string, userId: string): string {
  const [version, iv, body, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || !body || !tag) throw new Error('sealed TOTP secret has an unknown format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(userId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
