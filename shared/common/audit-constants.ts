/**
 * The audit log's constants, without its zod schemas (audit-event.ts, which re-exports them):
 * the streaming verifier's workers import only these, so each starts without loading zod
 * (about a quarter of a second of a worker's start, measured for `npm run bench -- audit`).
 */

/** Every kind of security event the log records. Add kinds; never rename them. */
export const AuditEventType = {
  LoginSuccess: 'login_success',
  LoginFailure: 'login_failure',
  Lockout: 'lockout',
  RefreshReuse: 'refresh_reuse',
  Logout: 'logout',
  PasswordChange: 'password_change',
  UserCreate: 'user_create',
  UserUpdate: 'user_update',
  UserDelete: 'user_delete',
  RoleChange: 'role_change',
  ApiKeyCreate: 'api_key_create',
  ApiKeyRevoke: 'api_key_revoke',
  /** A key got a new secret (the old one stopped working). */
  ApiKeyRotate: 'api_key_rotate',
  FirewallRuleCreate: 'firewall_rule_create',
  FirewallRuleUpdate: 'firewall_rule_update',
  FirewallRuleDelete: 'firewall_rule_delete',
  FirewallEnforceChange: 'firewall_enforce_change',
  RateLimitChange: 'rate_limit_change',
  SettingChange: 'setting_change',
  DemoRefusal: 'demo_refusal',
  MachineActivate: 'machine_activate',
  MachineRevoke: 'machine_revoke',
  MachineRebind: 'machine_rebind',
  ResourcePublish: 'resource_publish',
  ResourceUnlock: 'resource_unlock',
  ResourceExport: 'resource_export',
  ChainVerificationFailed: 'chain_verification_failed',
  AuditRecovered: 'audit_recovered',
  AuditExport: 'audit_export',
  CheckpointSigned: 'checkpoint_signed',
  ServerStart: 'server_start',
  AgentHandoff: 'agent_handoff',
  /** A password was right and a second factor was asked for. */
  MfaChallenge: 'mfa_challenge',
  /** A wrong, replayed or expired second factor. */
  MfaFailure: 'mfa_failure',
  /** A factor enrolled (TOTP confirmed, passkey added, recovery codes renewed). */
  MfaEnrol: 'mfa_enrol',
  /** A factor removed. */
  MfaRemove: 'mfa_remove',
  /** A factor renamed (a passkey's name). */
  MfaUpdate: 'mfa_update',
  /** A session re-authenticated for a sensitive action. */
  StepUp: 'step_up',
  /** A sensitive action refused because the sign-in was too old. */
  StepUpRequired: 'step_up_required',
  /** An OpenID Connect sign-in refused (state, nonce, token or role mapping). */
  SsoFailure: 'sso_failure',
  /** One of the caller's own sessions ended from its session list (not a sign-out). */
  SessionRevoke: 'session_revoke',
} as const;

export type AuditEventType = (typeof AuditEventType)[keyof typeof AuditEventType];

/** The chain's starting `prev_hash`: 32 zero bytes, hex. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** Domain-separation prefix hashed before every canonical entry. */
export const AUDIT_HASH_PREFIX = 'FactoryConsole/audit/v1\n';

/** Limits on `details`, so one entry cannot bloat the log. */
export const AUDIT_DETAILS_MAX_BYTES = 8192;
export const AUDIT_DETAILS_MAX_DEPTH = 8;

/** Why a chain did not verify; stable strings, shown to operators. */
export const AuditVerifyReason = {
  Malformed: 'malformed',
  NotCanonical: 'not_canonical',
  SeqGap: 'seq_gap',
  PrevHashMismatch: 'prev_hash_mismatch',
  HashMismatch: 'hash_mismatch',
  TruncatedRecord: 'truncated_record',
  CheckpointInvalid: 'checkpoint_invalid',
  CheckpointAhead: 'log_shorter_than_checkpoint',
  CheckpointMismatch: 'log_inconsistent_with_checkpoint',
  CheckpointStale: 'checkpoint_older_than_remembered',
  /** The server's stored Merkle tree disagrees with its entries. */
  TreeMismatch: 'tree_mismatch',
  /** A proof from the server does not verify against the checkpoints it should join. */
  ProofInvalid: 'proof_invalid',
} as const;
export type AuditVerifyReason = (typeof AuditVerifyReason)[keyof typeof AuditVerifyReason];
