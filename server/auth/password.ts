/**
 * Password hashing with scrypt (memory-hard, node:crypto/OpenSSL) in a versioned
 * PHC-like string, so parameters can grow without breaking old hashes:
 *
 *     $scrypt$v=1$ln=15,r=8,p=1$<salt, base64 no padding>$<hash, base64 no padding>
 *
 * Verification is constant-time and also runs for unknown accounts (against a dummy
 * hash), so response time does not reveal which e-mail addresses exist.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const FORMAT =
  /^\$scrypt\$v=1\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/;

function scrypt(password: string, salt: Buffer, log2N: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** log2N, r, p, maxmem: 256 * 2 ** log2N * r + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, HASH_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** Hashes a password for storage. `log2N` 15 = 32 MiB and ~0.2 s on the reference machine. */
export async function hashPassword(password: string, log2N: number): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scrypt(password, salt, log2N, 8, 1);
  return `$scrypt$v=1$ln=${log2N},r=8,p=1$${b64(salt)}$${b64(hash)}`;
}

/** Whether `password` matches `stored`. A malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = FORMAT.exec(stored);
  if (!match) return false;
  const [, ln, r, p, salt, hash] = match;
  const log2N = Number(ln);
  if (log2N < 10 || log2N > 20 || Number(r) < 1 || Number(p) < 1) return false;
  const expected = Buffer.from(hash!, 'base64');
  const actual = await scrypt(password, Buffer.from(salt!, 'base64'), log2N, Number(r), Number(p));
  return timingSafeEqual(expected, actual);
}

/** log2 N recorded in a stored hash (for the posture check and rehash-on-login). */
export function hashCost(stored: string): number | undefined {
  const match = FORMAT.exec(stored);
  return match ? Number(match[1]) : undefined;
}

/**
 * Passwords that must never be in use in production (well-known defaults and the most common passwords).
 * `FACTORY_PROD=1` refuses to start while any account still verifies against one.
 */
export const KNOWN_WEAK_PASSWORDS: readonly string[] = [
  'admin',
  'admin123',
  'admin1234567',
  'demo123',
  'demo',
  'password',
  'password123',
  'password1234',
  'changeme',
  'changeme123',
  'letmein',
  '123456789012',
  'qwertyuiop12',
  'factory',
  'factory123',
  'factoryadmin',
];
