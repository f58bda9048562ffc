import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalJson } from '../../common/canonical-json.ts';

/**
 * Ed25519 (RFC 8032) signatures: manifests, audit checkpoints and leases are signed
 * over their canonical JSON (shared/common/canonical-json.ts).
 *
 * Key format: both halves raw 32 bytes. The private key is the RFC 8032 *seed*
 * (what `crypto.generateKeyPair('ed25519')` keeps inside its PKCS#8), not the
 * 64-byte expanded form. Verification goes through OpenSSL, which rejects
 * non-canonical S (S ≥ L), so signatures are not malleable.
 */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
export const ED25519_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/** A KeyObject for a raw 32-byte Ed25519 seed. Secret material: do not log. */
export function ed25519PrivateKeyObject(privateKey: Uint8Array): KeyObject {
  if (privateKey.length !== ED25519_KEY_BYTES)
    throw new RangeError('Ed25519 private key (seed) must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, privateKey]), format: 'der', type: 'pkcs8' });
}

/** A KeyObject for a raw 32-byte Ed25519 public key. */
export function ed25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== ED25519_KEY_BYTES) throw new RangeError('Ed25519 public key must be 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

/** A fresh Ed25519 key pair: raw 32-byte public key and raw 32-byte seed. */
export function generateSigningKeyPair(): { publicKey: Buffer; privateKey: Buffer } {
  const pair = generateKeyPairSync('ed25519');
  const pub = pair.publicKey.export({ format: 'der', type: 'spki' });
  const priv = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    publicKey: Buffer.from(pub.subarray(pub.length - 32)),
    privateKey: Buffer.from(priv.subarray(priv.length - 32)),
  };
}

/** The raw public key of a raw Ed25519 seed (e.g. to publish the server's pinned key). */
export function signingPublicKeyOf(privateKey: Uint8Array): Buffer {
  const der = createPublicKey(ed25519PrivateKeyObject(privateKey)).export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** Signs raw bytes; returns the 64-byte signature. */
export function signBytes(privateKey: Uint8Array, message: Uint8Array): Buffer {
  return sign(null, message, ed25519PrivateKeyObject(privateKey));
}

/** Verifies a 64-byte signature over raw bytes. Any malformed input is `false`, never a throw. */
export function verifyBytes(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return verify(null, message, ed25519PublicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

/** Signs the canonical JSON of `value`; returns the signature as standard base64. */
export function signCanonical(privateKey: Uint8Array, value: unknown): string {
  return signBytes(privateKey, Buffer.from(canonicalJson(value), 'utf8')).toString('base64');
}

/**
 * Verifies a base64 signature over the canonical JSON of `value`. False for a bad
 * signature, a malformed base64 string, or a value that is not canonical JSON.
 */
export function verifyCanonical(publicKey: Uint8Array, value: unknown, signature: string): boolean {
  // Strict base64 (padded, canonical): Buffer.from would silently skip bad characters.
  if (!/^[A-Za-z0-9+/]{86}==$/.test(signature)) return false;
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.toString('base64') !== signature) return false;
  let message: Buffer;
  try {
    message = Buffer.from(canonicalJson(value), 'utf8');
  } catch {
    return false;
  }
  return verifyBytes(publicKey, message, bytes);
}
