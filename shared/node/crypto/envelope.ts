import { randomBytes } from 'node:crypto';
import { IntegrityError } from './errors.ts';
import { lengthPrefixed, strictUtf8 } from './encoding.ts';
import {
  AES_BLOCK_BYTES,
  HMAC_SHA256_BYTES,
  aesCbcDecrypt,
  aesCbcEncrypt,
  hkdf,
  hmac,
  tagsEqual,
} from './primitives.ts';
import { X25519_KEY_BYTES, generateX25519KeyPair, x25519PublicKeyOf, x25519SharedSecret } from './x25519.ts';

/**
 * The envelope (docs/SECURITY.md §The envelope): what the unlock response carries to one machine
 * (the DEK and the container's small part), readable only with that machine's
 * X25519 private key and only for the resource and machine it was sealed for.
 *
 * Ephemeral-static X25519 → HKDF-SHA-256 → AES-256-CBC + HMAC-SHA-256:
 * - ikm = X25519(ephemeral, recipient); all-zero secrets are rejected;
 * - salt = ephemeral public ‖ recipient public (binds both keys);
 * - info = "FactoryConsole/envelope/v1" ‖ lp(resource id) ‖ lp(machine id);
 * - 64 bytes of output: enc_key ‖ mac_key; tag over header ‖ IV ‖ ciphertext.
 *
 * Layout: `"FCEV" ‖ version(1) = 1 ‖ ephemeral public(32) ‖ IV(16) ‖ ciphertext ‖ tag(32)`.
 */
const MAGIC = Buffer.from('FCEV');
const VERSION = 1;
const HEADER_BYTES = MAGIC.length + 1 + X25519_KEY_BYTES;
const INFO = 'FactoryConsole/envelope/v1';
/** Envelopes carry small things (a DEK, ≤ 3 KiB of container head, a few ids). */
export const ENVELOPE_MAX_PAYLOAD = 1024 * 1024;

function envelopeKeys(
  shared: Buffer,
  ephemeralPublic: Uint8Array,
  recipientPublic: Uint8Array,
  resourceId: string,
  machineId: string,
): { encKey: Buffer; macKey: Buffer } {
  const info = Buffer.concat([
    Buffer.from(INFO),
    lengthPrefixed(strictUtf8(resourceId, 'resourceId')),
    lengthPrefixed(strictUtf8(machineId, 'machineId')),
  ]);
  const okm = hkdf('sha256', shared, Buffer.concat([ephemeralPublic, recipientPublic]), info, 64);
  shared.fill(0);
  return { encKey: okm.subarray(0, 32), macKey: okm.subarray(32) };
}

/** Seals `payload` to a machine's X25519 public key, bound to a resource id and a machine id. */
export function sealEnvelope(input: {
  recipientPublicKey: Uint8Array;
  resourceId: string;
  machineId: string;
  payload: Uint8Array;
}): Buffer {
  if (input.payload.length > ENVELOPE_MAX_PAYLOAD)
    throw new RangeError('envelope payload too large (≤ 1 MiB)');
  const ephemeral = generateX25519KeyPair();
  const shared = x25519SharedSecret(ephemeral.privateKey, input.recipientPublicKey);
  ephemeral.privateKey.fill(0);
  const { encKey, macKey } = envelopeKeys(
    shared,
    ephemeral.publicKey,
    input.recipientPublicKey,
    input.resourceId,
    input.machineId,
  );
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION]), ephemeral.publicKey]);
  const iv = randomBytes(AES_BLOCK_BYTES);
  const ciphertext = aesCbcEncrypt(encKey, iv, input.payload);
  const tag = hmac('sha256', macKey, header, iv, ciphertext);
  return Buffer.concat([header, iv, ciphertext, tag]);
}

/**
 * Opens an envelope with this machine's private key. A wrong key, resource id or
 * machine id, and any damage, give the one IntegrityError.
 */
export function openEnvelope(input: {
  recipientPrivateKey: Uint8Array;
  resourceId: string;
  machineId: string;
  envelope: Uint8Array;
}): Buffer {
  const bytes = Buffer.from(input.envelope.buffer, input.envelope.byteOffset, input.envelope.byteLength);
  const minimum = HEADER_BYTES + AES_BLOCK_BYTES + AES_BLOCK_BYTES + HMAC_SHA256_BYTES;
  if (
    bytes.length < minimum ||
    !bytes.subarray(0, MAGIC.length).equals(MAGIC) ||
    bytes[MAGIC.length] !== VERSION
  ) {
    throw new IntegrityError();
  }
  const header = bytes.subarray(0, HEADER_BYTES);
  const ephemeralPublic = header.subarray(MAGIC.length + 1);
  const iv = bytes.subarray(HEADER_BYTES, HEADER_BYTES + AES_BLOCK_BYTES);
  const ciphertext = bytes.subarray(HEADER_BYTES + AES_BLOCK_BYTES, bytes.length - HMAC_SHA256_BYTES);
  const tag = bytes.subarray(bytes.length - HMAC_SHA256_BYTES);
  const recipientPublic = x25519PublicKeyOf(input.recipientPrivateKey);
  const shared = x25519SharedSecret(input.recipientPrivateKey, ephemeralPublic);
  const { encKey, macKey } = envelopeKeys(
    shared,
    ephemeralPublic,
    recipientPublic,
    input.resourceId,
    input.machineId,
  );
  if (!tagsEqual(tag, hmac('sha256', macKey, header, iv, ciphertext))) throw new IntegrityError();
  return aesCbcDecrypt(encKey, iv, ciphertext);
}
