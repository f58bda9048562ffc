/**
 * The identity tables (migration 0040) as Kysely sees them, kept beside their code and
 * added to the server's database type with `withTables`.
 */
import type { Db } from '../../db/database.ts';

export interface MfaTotpTable {
  user_id: string;
  /** AES-256-GCM sealed base32 secret (see totp.ts). Secret: never logged or returned after enrolment. */
  secret_sealed: string;
  /** Null while enrolment waits for its first code. */
  confirmed_at: string | null;
  /** The last accepted time step: a code of this step or an earlier one is a replay. */
  last_step: number;
  created_at: string;
}

export interface MfaRecoveryCodesTable {
  /** SHA-256 of the normalised code (80 random bits, so a fast hash is enough). */
  code_hash: string;
  user_id: string;
  created_at: string;
  used_at: string | null;
}

export interface MfaWebauthnCredentialsTable {
  /** The credential id, base64url. */
  id: string;
  user_id: string;
  name: string;
  /** COSE public key, base64url. */
  public_key: string;
  /** The authenticator's signature counter, as last seen. */
  counter: number | string;
  /** JSON array of transports. */
  transports: string;
  created_at: string;
  last_used_at: string | null;
}

export interface MfaTokensTable {
  /** SHA-256 of the token handed to the client between password and factor. */
  token_hash: string;
  user_id: string;
  /** SHA-256 over the client's address and user agent: the token works for that client only. */
  client_hash: string;
  session_kind: string;
  /** RFC 8176 `amr` of the first step: `pwd` (password) or `ext` (an identity provider). */
  first_factor: string;
  /** The WebAuthn challenge of this sign-in, once the client asked for one. */
  webauthn_challenge: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface WebauthnRegistrationsTable {
  user_id: string;
  challenge: string;
  expires_at: string;
}

export interface OidcLoginsTable {
  state_hash: string;
  nonce: string;
  /** PKCE verifier (RFC 7636). Secret until the code is redeemed; the row is claimed once. */
  code_verifier: string;
  /** A loopback URL (RFC 8252) the console waits on, or null for the browser flow. */
  return_to: string | null;
  session_kind: string;
  created_at: string;
  expires_at: string;
  /** Set when the provider's answer for this state was accepted (once). */
  claimed_at: string | null;
  user_id: string | null;
  /** JSON array: the ID token's `amr`, if any. */
  amr: string | null;
  /** SHA-256 of the one-time ticket the loopback client exchanges for tokens. */
  ticket_hash: string | null;
  ticket_used_at: string | null;
  /** The console's PKCE challenge (S256) for the loopback hop (migration 0045). */
  client_challenge: string | null;
  /** The console's own `state`, sent back on its loopback redirect. */
  client_state: string | null;
  ticket_expires_at: string | null;
}

/** A provider's account (issuer + `sub`) linked to one of ours. */
export interface OidcIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  created_at: string;
  last_login_at: string | null;
}

export interface OidcClaimedNoncesTable {
  nonce_hash: string;
  claimed_at: string;
}

export type IdentityTables = {
  mfa_totp: MfaTotpTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_webauthn_credentials: MfaWebauthnCredentialsTable;
  mfa_tokens: MfaTokensTable;
  webauthn_registrations: WebauthnRegistrationsTable;
  oidc_logins: OidcLoginsTable;
  oidc_claimed_nonces: OidcClaimedNoncesTable;
  oidc_identities: OidcIdentitiesTable;
};

/** The server's database with the identity tables in its type. */
export function withIdentityTables(db: Db) {
  return db.withTables<IdentityTables>();
}
export type IdentityDb = ReturnType<typeof withIdentityTables>;
