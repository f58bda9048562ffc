import { randomBytes } from 'node:crypto';
import { IntegrityError } from './errors.ts';
import { lengthPrefixed } from './encoding.ts';
import {
  AES_BLOCK_BYTES,
  HMAC_SHA256_BYTES,
  aesCbcDecrypt,
  aesCbcEncrypt,
  hkdf,
  hmac,
  tagsEqual,
} from './primitives.ts';

/**
 * Secret box: authenticated encryption of small secrets (the sealed machine private
 * key, DEKs under the server's master key).
 *
 * Construction: AES-256-CBC + HMAC-SHA-256, encrypt-then-MAC, keys from
 * HKDF-SHA-256(key, info = "FactoryConsole/secret-box/v1"). Why not AES-GCM: one
 * construction across container, envelope and box means one thing to audit and
 * test against vectors and OpenSSL; and HMAC is key-committing, which GCM is not:
 * a box opened with several candidate keys (the "all components but one" KEKs of
 * docs/SECURITY.md §Hardware binding and change) can only ever open under the key that sealed it.
 *
 * Layout: `version(1) = 1 ‖ IV(16) ‖ ciphertext ‖ tag(32)`, tag =
 * HMAC(mac_key, "FCSB" ‖ lp(aad) ‖ version ‖ IV ‖ ciphertext).
 */
const VERSION = 1;
const DOMAIN = Buffer.from('FCSB');
const INFO = 'FactoryConsole/secret-box/v1';
const OVERHEAD_MIN = 1 + AES_BLOCK_BYTES + AES_BLOCK_BYTES + HMAC_SHA256_BYTES;
/** Small secrets only: a box is held in memory whole. */
export const SECRET_BOX_MAX_PLAINTEXT = 1024 * 1024;

function subKeys(key: Uint8Array): { encKey: Buffer; macKey: Buffer } {
  if (key.length !== 32) throw new RangeError('secret box key must be 32 bytes');
  const okm = hkdf('sha256', key, Buffer.alloc(0), INFO, 64);
  return { encKey: okm.subarray(0, 32), macKey: okm.subarray(32) };
}

/** Seals `plaintext` under a 32-byte key, bound to `aad` (which must be given again to open). */
export function sealSecret(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  if (plaintext.length > SECRET_BOX_MAX_PLAINTEXT)
    throw new RangeError('secret box is for small secrets (≤ 1 MiB)');
  const { encKey, macKey } = subKeys(key);
  const header = Buffer.from([VERSION]);
  const iv = randomBytes(AES_BLOCK_BYTES);
  const ciphertext = aesCbcEncrypt(encKey, iv, plaintext);
  const tag = hmac('sha256', macKey, DOMAIN, lengthPrefixed(aad), header, iv, ciphertext);
  return Buffer.concat([header, iv, ciphertext, tag]);
}

/** Opens a box sealed by `sealSecret` with the same key and aad; any failure is the one IntegrityError. */
export function openSecret(key: Uint8Array, box: Uint8Array, aad: Uint8Array): Buffer {
  const { encKey, macKey } = subKeys(key);
  const bytes = Buffer.from(box.buffer, box.byteOffset, box.byteLength);
  if (bytes.length < OVERHEAD_MIN || bytes[0] !== VERSION) throw new IntegrityError();
  const header = bytes.subarray(0, 1);
  const iv = bytes.subarray(1, 1 + AES_BLOCK_BYTES);
  const ciphertext = bytes.subarray(1 + AES_BLOCK_BYTES, bytes.length - HMAC_SHA256_BYTES);
  const tag = bytes.subarray(bytes.length - HMAC_SHA256_BYTES);
  // Tag first, in constant time; decrypt only authenticated ciphertext.
  if (!tagsEqual(tag, hmac('sha256', macKey, DOMAIN, lengthPrefixed(aad), header, iv, ciphertext))) {
    throw new IntegrityError();
  }
  return aesCbcDecrypt(encKey, iv, ciphertext);
}
