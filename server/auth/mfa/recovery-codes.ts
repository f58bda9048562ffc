/**
 * Recovery codes: ten single-use codes of 80 random bits each, shown once as
 * `xxxx-xxxx-xxxx-xxxx` (base32, no ambiguous letters needed: case and dashes are
 * ignored on entry) and stored as SHA-256 only.
 */
import { createHash, randomBytes } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Ten fresh codes. Secret: returned to the account holder once, never stored in clear. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(16);
    let text = '';
    for (let index = 0; index < 16; index += 1) text += ALPHABET[bytes[index]! % 32];
    return text.match(/.{4}/g)!.join('-');
  });
}

/** What a typed code is compared as: lower case, without spaces or dashes. */
export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256')
    .update(`factory-api/recovery/v1\n${normaliseRecoveryCode(code)}`)
    .digest('hex');
}
