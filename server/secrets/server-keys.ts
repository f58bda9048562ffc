/**
 * The server's long-lived keys, persisted under `data/secrets/` (docs/SECURITY.md §Signatures, §Factory API):
 * the JWT signing key, the Ed25519 signing key (manifests, leases, audit checkpoints)
 * and the master key (seals resource DEKs). Key material: never logged, never in a
 * response; other plugins reach it only through `app.keys`.
 */
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  generateSigningKeyPair,
  signBytes,
  signCanonical,
  signingPublicKeyOf,
} from '../../shared/node/crypto/signing.ts';
import { ensurePrivateDir, loadOrCreateSecret } from './secret-file.ts';

/** The server's Ed25519 signing key, as other plugins use it. */
export interface SigningKey {
  /** Raw 32-byte public key (what the console pins). */
  readonly publicKey: Buffer;
  /** Short id: first 16 hex digits of SHA-256(public key). */
  readonly keyId: string;
  /** Signs raw bytes (64-byte Ed25519 signature). */
  sign(message: Uint8Array): Buffer;
  /** Signs the canonical JSON of `value`; base64 signature. */
  signCanonical(value: unknown): string;
  /** HAZMAT: the raw seed, for code that must hand it to a shared/node primitive. Do not log. */
  readonly privateKey: Buffer;
}

export interface ServerKeys {
  /** 256-bit HMAC key for HS256 access tokens. Secret. */
  readonly jwt: Uint8Array;
  readonly signing: SigningKey;
  /** 256-bit key that seals per-resource DEKs. Secret. */
  readonly master: Uint8Array;
}

export const SECRET_FILES = {
  jwt: 'jwt_hs256.key',
  signing: 'signing_ed25519.key',
  master: 'master.key',
} as const;

function decodeKey(text: string, file: string, bytes: number): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== bytes || key.toString('base64') !== text) {
    throw new Error(`${file}: expected ${bytes} bytes of base64 key material; restore it from backup`);
  }
  return key;
}

/** Loads the server's keys, creating any that are missing (first start). */
export async function loadServerKeys(
  dataDir: string,
  onLoosened?: (file: string) => void,
): Promise<ServerKeys> {
  const dir = path.join(dataDir, 'secrets');
  await ensurePrivateDir(dir);
  const random32 = () => randomBytes(32).toString('base64');
  const read = async (name: string, create: () => string) =>
    decodeKey(await loadOrCreateSecret(path.join(dir, name), create, onLoosened), name, 32);

  const jwt = await read(SECRET_FILES.jwt, random32);
  const seed = await read(SECRET_FILES.signing, () => generateSigningKeyPair().privateKey.toString('base64'));
  const master = await read(SECRET_FILES.master, random32);
  const publicKey = signingPublicKeyOf(seed);
  const signing: SigningKey = {
    publicKey,
    keyId: createHash('sha256').update(publicKey).digest('hex').slice(0, 16),
    sign: (message) => signBytes(seed, message),
    signCanonical: (value) => signCanonical(seed, value),
    privateKey: seed,
  };
  return { jwt, signing, master };
}
