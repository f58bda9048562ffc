/**
 * HTTP contract of second factors, step-up and single sign-on (docs/IDENTITY.md),
 * shared by the Factory API, the console's API client and the CLI.
 */
import { z } from 'zod';
import { text } from '../text.ts';

export const MFA_METHODS = ['totp', 'webauthn', 'recovery'] as const;
export const mfaMethodSchema = z.enum(MFA_METHODS);
export type MfaMethodName = z.infer<typeof mfaMethodSchema>;

/** `POST /api/v1/auth/login` when the account has a second factor: no token yet. */
export const mfaChallengeResponseSchema = z.strictObject({
  mfa_required: z.literal(true),
  /** Short-lived, single-use, valid only for the client that signed in. */
  mfa_token: text(),
  methods: z.array(mfaMethodSchema),
});
export type MfaChallengeResponse = z.infer<typeof mfaChallengeResponseSchema>;

const codeSchema = text().trim().min(6).max(64);
/** A WebAuthn response as `@simplewebauthn/browser` produces it (checked by the server library). */
const webauthnResponseSchema = z.record(text(), z.unknown());

/** `POST /api/v1/auth/mfa/verify`: the second step of a sign-in. */
export const mfaVerifyRequestSchema = z.discriminatedUnion('method', [
  z.strictObject({ mfa_token: text().min(1).max(128), method: z.literal('totp'), code: codeSchema }),
  z.strictObject({ mfa_token: text().min(1).max(128), method: z.literal('recovery'), code: codeSchema }),
  z.strictObject({
    mfa_token: text().min(1).max(128),
    method: z.literal('webauthn'),
    assertion: webauthnResponseSchema,
  }),
]);
export type MfaVerifyRequest = z.infer<typeof mfaVerifyRequestSchema>;

/** `POST /api/v1/auth/mfa/webauthn/options {mfa_token}`: assertion options for a sign-in. */
export const mfaWebauthnOptionsRequestSchema = z.strictObject({ mfa_token: text().min(1).max(128) });

/** `POST /api/v1/auth/reauth`: step-up with the password or a factor. */
export const reauthRequestSchema = z.union([
  z.strictObject({ password: text().min(1).max(1024) }),
  z.strictObject({ method: z.enum(['totp', 'recovery']), code: codeSchema }),
  z.strictObject({
    method: z.literal('webauthn'),
    /** From `POST /api/v1/auth/reauth/webauthn/options`. */
    mfa_token: text().min(1).max(128),
    assertion: webauthnResponseSchema,
  }),
]);
export type ReauthRequest = z.infer<typeof reauthRequestSchema>;

export const reauthResponseSchema = z.strictObject({
  /** When the step-up stops counting (ISO 8601). */
  valid_until: text(),
});

export const totpEnrolResponseSchema = z.strictObject({
  /** Base32. Shown once: the server never returns it again. */
  secret: text(),
  otpauth_url: text(),
});
export type TotpEnrolResponse = z.infer<typeof totpEnrolResponseSchema>;

export const totpCodeRequestSchema = z.strictObject({ code: codeSchema });

export const recoveryCodesResponseSchema = z.strictObject({
  /** Shown once; each works once. */
  recovery_codes: z.array(text()),
});
export type RecoveryCodesResponse = z.infer<typeof recoveryCodesResponseSchema>;

export const passkeySchema = z.strictObject({
  id: text(),
  name: text(),
  created_at: text(),
  last_used_at: text().nullable(),
});
export type Passkey = z.infer<typeof passkeySchema>;

/** `GET /api/v1/auth/mfa`: the signed-in account's factors (no secrets). */
export const factorsResponseSchema = z.strictObject({
  totp: z.boolean(),
  passkeys: z.array(passkeySchema),
  recovery_codes_left: z.number().int().nonnegative(),
  /** This account's role must have a factor (FACTORY_MFA_REQUIRED_ROLES). */
  required: z.boolean(),
  /** Passkeys are configured on this server (FACTORY_WEBAUTHN_RP_ID / _ORIGIN). */
  webauthn_available: z.boolean(),
});
export type FactorsResponse = z.infer<typeof factorsResponseSchema>;

export const passkeyNameSchema = text().trim().min(1).max(64);
export const webauthnRegisterRequestSchema = z.strictObject({
  name: passkeyNameSchema,
  response: webauthnResponseSchema,
});
export const passkeyRenameRequestSchema = z.strictObject({ name: passkeyNameSchema });

/** `GET /api/v1/auth/methods`: how this server signs people in (public). */
export const authMethodsResponseSchema = z.strictObject({
  /** False with FACTORY_OIDC_ONLY=1 (except for the break-glass super_admin). */
  password: z.boolean(),
  sso: z.boolean(),
  webauthn: z.boolean(),
});
export type AuthMethodsResponse = z.infer<typeof authMethodsResponseSchema>;

/** base64url without padding: PKCE verifiers, challenges and states (RFC 7636 §4.1). */
const base64urlText = (min: number, max: number) =>
  text()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url');

/**
 * `POST /api/v1/auth/oidc/start`: where to send the browser. `return_to` is the loopback
 * URL (RFC 8252 §7.3) the console waits on — plain http to 127.0.0.1, [::1] or localhost,
 * nothing else; `code_challenge` the S256 of a verifier only the console knows, so the
 * one-time code the browser carries back is worth nothing to another program.
 */
export const oidcStartRequestSchema = z.strictObject({
  return_to: text()
    .max(200)
    .regex(/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d{1,5}(\/[A-Za-z0-9/_-]*)?$/, 'a loopback http URL'),
  code_challenge: base64urlText(43, 43),
  code_challenge_method: z.literal('S256').default('S256'),
  /** Sent back on the loopback redirect, for the console to match it to its request. */
  state: base64urlText(16, 128).optional(),
});
export type OidcStartRequest = z.input<typeof oidcStartRequestSchema>;
export const oidcStartResponseSchema = z.strictObject({ authorization_url: text() });

/** Assertion options plus the token that carries their challenge (sign-in or step-up). */
export const webauthnAssertionOptionsResponseSchema = z.strictObject({
  mfa_token: text(),
  options: z.record(text(), z.unknown()),
});

/**
 * `POST /api/v1/auth/oidc/exchange {code, code_verifier}`: the console trades the one-time
 * code of its loopback redirect, with its PKCE verifier, for the usual token response (or
 * the second-factor step, like `POST /api/v1/auth/login`).
 */
export const oidcExchangeRequestSchema = z.strictObject({
  code: text().min(1).max(128),
  code_verifier: base64urlText(43, 128),
});
export type OidcExchangeRequest = z.infer<typeof oidcExchangeRequestSchema>;
