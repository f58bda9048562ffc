import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { IntegrityError } from './errors.ts';

/**
 * X25519 with raw 32-byte keys (RFC 7748). Node's KeyObjects want DER, so raw keys
 * are wrapped in the fixed PKCS#8 / SPKI prefixes for the X25519 OID (1.3.101.110).
 */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
export const X25519_KEY_BYTES = 32;

/** A KeyObject for a raw X25519 private key. Secret material: do not log. */
export function x25519PrivateKeyObject(privateKey: Uint8Array): KeyObject {
  if (privateKey.length !== X25519_KEY_BYTES) throw new RangeError('X25519 private key must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, privateKey]), format: 'der', type: 'pkcs8' });
}

/** A KeyObject for a raw X25519 public key. */
export function x25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== X25519_KEY_BYTES) throw new RangeError('X25519 public key must be 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

/** Raw 32-byte public key of a KeyObject (public or private). */
export function rawX25519PublicKey(key: KeyObject): Buffer {
  const der = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - X25519_KEY_BYTES));
}

/** A fresh X25519 key pair, both halves raw 32 bytes. The private key is secret material. */
export function generateX25519KeyPair(): { publicKey: Buffer; privateKey: Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return { publicKey: rawX25519PublicKey(publicKey), privateKey: Buffer.from(der.subarray(der.length - 32)) };
}

/** The raw public key that belongs to a raw private key. */
export function x25519PublicKeyOf(privateKey: Uint8Array): Buffer {
  return rawX25519PublicKey(x25519PrivateKeyObject(privateKey));
}

/**
 * HAZMAT: the raw X25519 shared secret. Only the envelope (and tests) call this;
 * feed the result to a KDF, never use it as a key.
 *
 * An all-zero result (the peer sent a small-order point) is rejected with
 * IntegrityError: it would make the "shared" secret known to everyone
 * (RFC 7748 §6.1). OpenSSL refuses it too; we check anyway.
 */
export function x25519SharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Buffer {
  const ownKey = x25519PrivateKeyObject(privateKey); // our key: a wrong length is a caller bug (RangeError)
  let secret: Buffer;
  try {
    // The peer's key is untrusted input: any problem with it is the one IntegrityError.
    secret = diffieHellman({ privateKey: ownKey, publicKey: x25519PublicKeyObject(publicKey) });
  } catch {
    throw new IntegrityError();
  }
  let bits = 0;
  for (const byte of secret) bits |= byte;
  if (bits === 0 || secret.length !== X25519_KEY_BYTES) throw new IntegrityError();
  return secret;
}
