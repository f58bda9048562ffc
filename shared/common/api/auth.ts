/**
 * HTTP contract of `/api/v1/auth/*`, shared by the Factory API and the
 * console's API client. Bodies are strict: unknown members are refused.
 */
import { z } from 'zod';
import { text } from '../text.ts';
import { ROLES, type Role } from '../roles.ts';

/** Login names are e-mail-like; `admin@localhost` (the bootstrap admin) must pass. */
export const emailSchema = text()
  .trim()
  .toLowerCase()
  .min(3)
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+$/, 'an e-mail address');

/** Minimum length of every password the server accepts (≥ 12, as the first-run prompt asks). */
export const PASSWORD_MIN_LENGTH = 12;
/** Long enough for passphrases, short enough that hashing cannot be abused. */
export const PASSWORD_MAX_LENGTH = 1024;

/** A new password (login accepts any length up to the maximum, so old accounts can still sign in). */
export const newPasswordSchema = text().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);

export const roleSchema = z.enum(ROLES as [Role, ...Role[]]);

export const loginRequestSchema = z.strictObject({
  email: emailSchema,
  password: text().min(1).max(PASSWORD_MAX_LENGTH),
  /** `cookie`: also set an HttpOnly session cookie (browsers); requests made with it need `X-CSRF-Token`. */
  session: z.enum(['bearer', 'cookie']).default('bearer'),
});
export type LoginRequest = z.input<typeof loginRequestSchema>;

export const userSummarySchema = z.strictObject({
  id: text(),
  email: text(),
  role: roleSchema,
});
export type UserSummary = z.infer<typeof userSummarySchema>;

export const tokenResponseSchema = z.strictObject({
  access_token: text(),
  refresh_token: text(),
  token_type: z.literal('Bearer'),
  /** Seconds until `access_token` expires. */
  expires_in: z.number().int().positive(),
  user: userSummarySchema,
  /** Present for cookie sessions: send it back as `X-CSRF-Token` on state-changing requests. */
  csrf_token: text().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

export const refreshRequestSchema = z.strictObject({
  refresh_token: text().min(1).max(512),
});
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const logoutRequestSchema = z.strictObject({
  refresh_token: text().min(1).max(512).optional(),
});

export const meResponseSchema = z.strictObject({
  user: userSummarySchema,
  permissions: z.array(text()),
  /** How the request was authenticated. */
  via: z.enum(['bearer', 'cookie', 'api_key']),
  /** True when the server runs in public demo mode (`FACTORY_DEMO_READONLY=1`): the UI shows a banner. */
  public_demo: z.boolean(),
  must_change_password: z.boolean(),
  /** The role needs a second factor and this session signed in without one: enrol first. */
  mfa_enrolment_required: z.boolean().optional(),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

export const changePasswordRequestSchema = z.strictObject({
  current_password: text().min(1).max(PASSWORD_MAX_LENGTH),
  new_password: newPasswordSchema,
});
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

/** One of the caller's own live sessions (`GET /api/v1/auth/sessions`): never a token or hash. */
export const sessionInfoSchema = z.strictObject({
  id: z.uuid(),
  via: text(),
  created_at: text(),
  /** When the session last signed in or refreshed. */
  last_used_at: text(),
  expires_at: text(),
  /** The session this request came from. */
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;
export const sessionListResponseSchema = z.strictObject({ sessions: z.array(sessionInfoSchema) });
export type SessionListResponse = z.infer<typeof sessionListResponseSchema>;
