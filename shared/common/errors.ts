/**
 * The one error registry, shared by the Factory API's HTTP errors and the console's
 * IPC results. A code is stable API: add codes, never rename them.
 */
export const ErrorCode = {
  BadRequest: 'bad_request',
  ValidationFailed: 'validation_failed',
  Unauthenticated: 'unauthenticated',
  Forbidden: 'forbidden',
  DemoReadOnly: 'demo_read_only',
  NotFound: 'not_found',
  Conflict: 'conflict',
  PayloadTooLarge: 'payload_too_large',
  RateLimited: 'rate_limited',
  FirewallDenied: 'firewall_denied',
  AccountLocked: 'account_locked',
  CsrfFailed: 'csrf_failed',
  UntrustedHost: 'untrusted_host',
  SeatLimit: 'seat_limit',
  LeaseExpired: 'lease_expired',
  ClockSetBack: 'clock_set_back',
  HardwareMismatch: 'hardware_mismatch',
  IntegrityFailed: 'integrity_failed',
  WrongPassword: 'wrong_password',
  NotActivated: 'not_activated',
  Unavailable: 'unavailable',
  Timeout: 'timeout',
  Cancelled: 'cancelled',
  Internal: 'internal',
  /** A signed CDN URL past its expiry: ask the API for a fresh one. */
  CdnUrlExpired: 'cdn_url_expired',
  /** The Factory API's TLS certificate is not the pinned one (or none is pinned yet). */
  CertificateMismatch: 'certificate_mismatch',
  /**
   * A sensitive action needs a sign-in or a second factor within the last few minutes:
   * the client prompts for the password (or a factor) and retries, it is not a failure.
   */
  ReauthRequired: 'reauth_required',
  /** The account's role requires a second factor and it has none yet: only enrolment is allowed. */
  MfaEnrolmentRequired: 'mfa_enrolment_required',
  /**
   * The account's password is one someone else knows (the first-run password file, a reset
   * by an administrator): only changing it, signing out and reading who it is are allowed.
   */
  PasswordChangeRequired: 'password_change_required',
  /** An audit proof asked for a tree size beyond the log, `from > to`, or a seq outside the tree. */
  ProofOutOfRange: 'proof_out_of_range',
  /** A tlog tile path that is malformed, or names a tile the log does not have yet. */
  BadTilePath: 'bad_tile_path',
  /**
   * A console record that the machine key seals (the activation's pinned server key, the
   * clock's high-water mark) was edited, replaced or deleted: refused, never reset.
   */
  Tampered: 'tampered',
  /**
   * The activation was made before its records were sealed: offline opening waits until one
   * online unlock has confirmed the pinned server key and sealed them.
   */
  SealMissing: 'seal_missing',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The wire shape of an error, in HTTP bodies (`{error}`) and IPC results. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  request_id?: string;
}

/** HTTP status for each code, so the server and the API client agree. */
export const httpStatusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  demo_read_only: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  firewall_denied: 403,
  account_locked: 429,
  csrf_failed: 403,
  untrusted_host: 400,
  seat_limit: 409,
  lease_expired: 403,
  clock_set_back: 403,
  hardware_mismatch: 403,
  integrity_failed: 422,
  wrong_password: 401,
  not_activated: 409,
  unavailable: 503,
  timeout: 504,
  cancelled: 499,
  internal: 500,
  cdn_url_expired: 410,
  certificate_mismatch: 495,
  reauth_required: 401,
  mfa_enrolment_required: 403,
  password_change_required: 403,
  proof_out_of_range: 400,
  bad_tile_path: 400,
  tampered: 422,
  seal_missing: 409,
};
