/**
 * Seals for the console's own records that the server cannot sign: the activation's pinned
 * server key and the clock's high-water mark (docs/SECURITY.md §Threat model and tests, "Offline
 * limits"). A seal is HMAC-SHA-256 over the canonical JSON of `{purpose, record}` under a key
 * derived (HKDF-SHA-256) from the machine's X25519 private key, which only the password and this
 * machine's hardware open; so an edit of a sealed file, or one copied from another record or
 * activation, is detected once the machine key is open.
 */
import { canonicalJson } from '../../common/canonical-json.ts';
import { hkdf, hmac, tagsEqual } from './primitives.ts';

const SEAL_SALT = Buffer.from('factory-console/local-seal/v1', 'utf8');

/** What a seal is for: a seal made for one purpose never verifies for another. */
export type LocalSealPurpose = 'activation' | 'clock';

/**
 * The sealing key of one activation: HKDF of the machine private key, with the machine id as
 * info. Secret: zero it after use.
 */
export function localSealKey(machinePrivateKey: Uint8Array, machineId: string): Buffer {
  return hkdf('sha256', machinePrivateKey, SEAL_SALT, machineId, 32);
}

/** The seal (base64) of `record` for `purpose`. */
export function sealRecord(key: Uint8Array, purpose: LocalSealPurpose, record: unknown): string {
  return hmac('sha256', key, Buffer.from(canonicalJson({ purpose, record }), 'utf8')).toString('base64');
}

/** Whether `seal` is the seal of `record` for `purpose` (constant-time compare). */
export function sealMatches(
  key: Uint8Array,
  purpose: LocalSealPurpose,
  record: unknown,
  seal: string,
): boolean {
  return tagsEqual(Buffer.from(sealRecord(key, purpose, record), 'base64'), Buffer.from(seal, 'base64'));
}
