/**
 * The tables of the Factory API, as Kysely sees them. Times are ISO 8601 UTC strings
 * (`Date.prototype.toISOString`, so they sort as text); booleans are 0/1 integers —
 * both portable between SQLite and PostgreSQL. Other areas add their tables to
 * {@link Database} with their own migration file in `migrations/`.
 */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  /** A versioned PHC-style scrypt string (see auth/password.ts). Secret: never logged or returned. */
  password_hash: string;
  role: string;
  disabled: number;
  must_change_password: number;
  /** 1 while the account still has the first-run bootstrap password. */
  bootstrap_password: number;
  created_at: string;
  updated_at: string;
}

/** One sign-in (a refresh-token family). Access tokens name it (`sid`), so logout revokes them. */
export interface SessionsTable {
  id: string;
  user_id: string;
  via: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
  /** When this session last proved who it is (sign-in, factor, step-up); null = `created_at`. */
  auth_at: string | null;
  /** 1: a role that must have a second factor signed in without one; only enrolment is allowed. */
  enrol_only: Generated<number>;
  /** JSON array of the methods the sign-in used (RFC 8176 values: `pwd`, `otp`, `hwk`, …). */
  amr: string | null;
}

export interface RefreshTokensTable {
  /** SHA-256 of the token (the token has 256 random bits, so a fast hash is enough). */
  token_hash: string;
  session_id: string;
  created_at: string;
  expires_at: string;
  /** Set when rotated: presenting it again is reuse, and revokes the session. */
  used_at: string | null;
}

/** Failed sign-ins per account and per client address; survives restarts. */
export interface LoginFailuresTable {
  key: string;
  failures: number;
  locked_until: string | null;
  last_failure_at: string;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  prefix: string;
  /** SHA-256 of the secret part (256 random bits). */
  secret_hash: string;
  /** JSON array of permissions. */
  scopes: string;
  owner_id: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Small key/value state of the server itself (e.g. the bootstrap marker). */
export interface ServerStateTable {
  key: string;
  value: string;
}

/** The audit log's clean-shutdown marker, one row per instance (server/audit/audit.plugin.ts). */
export interface AuditInstancesTable {
  instance_id: string;
  state: string;
  updated_at: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  login_failures: LoginFailuresTable;
  api_keys: ApiKeysTable;
  server_state: ServerStateTable;
  audit_instances: AuditInstancesTable;
}
