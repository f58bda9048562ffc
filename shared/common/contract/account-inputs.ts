/**
 * zod schemas of the second-factor, step-up and Account calls (renderer input is
 * untrusted): strict objects, bounded strings. Codes and passwords are secrets that travel
 * once to the main side; they are never echoed back and never logged.
 */
import { z } from 'zod';

const id = z
  .string()
  .min(1)
  .max(400)
  .regex(/^[A-Za-z0-9._:=_-]+$/, 'an identifier of letters, digits, dot, colon, dash or underscore');
/** A TOTP code (6 digits) or a recovery code (`xxxx-xxxx-xxxx-xxxx`, dashes and spaces ignored). */
const code = z.string().trim().min(6, 'a code of at least 6 characters').max(64);
/**
 * A WebAuthn response as `@simplewebauthn/browser` produces it: a JSON object the server's
 * library checks (its size is bounded by the contract's payload limit).
 */
const webauthnResponse = z.record(z.string().max(64), z.unknown());

/** The factor step of a sign-in (the pending sign-in's token stays on the main side). */
export const FactorInput = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('totp'), code }),
  z.strictObject({ method: z.literal('recovery'), code }),
  z.strictObject({ method: z.literal('webauthn'), assertion: webauthnResponse }),
]);
export type FactorInput = z.infer<typeof FactorInput>;

/** Step-up: the password (an account without a factor) or a factor. */
export const ReauthInput = z.union([z.strictObject({ password: z.string().min(1).max(1024) }), FactorInput]);
export type ReauthInput = z.infer<typeof ReauthInput>;

export const TotpCodeInput = z.strictObject({ code });
export type TotpCodeInput = z.infer<typeof TotpCodeInput>;

const passkeyName = z.string().trim().min(1, 'must not be empty').max(64);

export const PasskeyRegisterInput = z.strictObject({ name: passkeyName, response: webauthnResponse });
export type PasskeyRegisterInput = z.infer<typeof PasskeyRegisterInput>;

export const PasskeyRenameInput = z.strictObject({ passkeyId: id, name: passkeyName });
export type PasskeyRenameInput = z.infer<typeof PasskeyRenameInput>;

export const PasskeyInput = z.strictObject({ passkeyId: id });
export type PasskeyInput = z.infer<typeof PasskeyInput>;

/** One of the account's own sessions (the server's session id, a UUID). */
export const SessionInput = z.strictObject({ id: z.uuid() });
export type SessionInput = z.infer<typeof SessionInput>;

/** Longest passkey name (the server refuses longer). */
export const PASSKEY_NAME_MAX = 64;
