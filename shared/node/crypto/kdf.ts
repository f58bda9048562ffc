import { createHash, scrypt } from 'node:crypto';
import { lengthPrefixed, strictUtf8 } from './encoding.ts';
import { hkdf } from './primitives.ts';

/** scrypt cost parameters. Store them beside anything sealed under a derived key so they can be raised later. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/**
 * The machine KEK's scrypt cost, chosen by measurement on this class of machine
 * (2 cores, shared): N = 2^17 takes ≈ 0.5–0.65 s, N = 2^18 takes 1.2–1.7 s, so
 * 2^17 is the slowest that stays under ~1 s. Memory: 128 · N · r = 128 MiB.
 */
export const MACHINE_KEK_SCRYPT: ScryptParams = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

/** Domain prefix of the KEK salt, so the salt hash is never reused for anything else. */
const KEK_SALT_DOMAIN = 'FactoryConsole/kek/v1';

/** Bounds that keep a hostile or corrupt parameter record from exhausting memory or accepting a trivial cost. */
function checkParams(params: ScryptParams): void {
  const { N, r, p } = params;
  const powerOfTwo = Number.isInteger(N) && N >= 2 ** 14 && N <= 2 ** 22 && (N & (N - 1)) === 0;
  if (!powerOfTwo) throw new RangeError('scrypt N must be a power of two in [2^14, 2^22]');
  if (!Number.isInteger(r) || r < 1 || r > 32) throw new RangeError('scrypt r must be in [1, 32]');
  if (!Number.isInteger(p) || p < 1 || p > 16) throw new RangeError('scrypt p must be in [1, 16]');
}

/** Memory scrypt needs (128·N·r·p plus headroom), passed as `maxmem` so Node does not refuse it. */
function scryptMaxmem(params: ScryptParams): number {
  return 128 * params.N * params.r * params.p + 32 * 1024 * 1024;
}

/**
 * The KEK salt: `SHA-384(domain ‖ lp(email) ‖ lp(hwHash) ‖ lp(installSalt))`, each
 * field length-prefixed. The email is trimmed and lower-cased so that "Ann@X.com "
 * and "ann@x.com" are the same operator.
 */
export function machineKekSalt(email: string, hwHash: Uint8Array, installSalt: Uint8Array): Buffer {
  return createHash('sha384')
    .update(KEK_SALT_DOMAIN)
    .update(lengthPrefixed(strictUtf8(email.trim().toLowerCase(), 'email')))
    .update(lengthPrefixed(hwHash))
    .update(lengthPrefixed(installSalt))
    .digest();
}

/**
 * The machine KEK (32 bytes) = scrypt(password, salt = machineKekSalt(…)). It seals
 * the machine's private key at rest (docs/ARCHITECTURE.md §The key hierarchy). Runs on libuv's thread pool,
 * never on the event loop. The password is NFC-normalised so that the same typed
 * password gives the same key whatever the input method composed.
 *
 * Secret material: the password and the returned key must never be logged or sent.
 */
export function deriveMachineKek(input: {
  password: string;
  email: string;
  hwHash: Uint8Array;
  installSalt: Uint8Array;
  params: ScryptParams;
}): Promise<Buffer> {
  try {
    checkParams(input.params);
    if (input.password.length === 0) throw new RangeError('password must not be empty');
  } catch (error) {
    return Promise.reject(error as Error);
  }
  const password = strictUtf8(input.password.normalize('NFC'), 'password');
  const salt = machineKekSalt(input.email, input.hwHash, input.installSalt);
  const { N, r, p } = input.params;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, 32, { N, r, p, maxmem: scryptMaxmem(input.params) }, (error, key) => {
      password.fill(0);
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** HKDF-SHA-256 (RFC 5869) for sub-keys: `length` bytes from `ikm`, bound to `salt` and `info`. */
export function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: string | Uint8Array,
  length: number,
): Buffer {
  return hkdf('sha256', ikm, salt, info, length);
}
