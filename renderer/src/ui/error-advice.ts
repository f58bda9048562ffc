/**
 * One line of "what to do" per error code, so every error the UI shows comes with a
 * next step. Codes come from the shared registry; an unknown one gets a generic hint.
 */
import type { ErrorCode } from '../../../shared/common/errors.ts';

// Every code of the registry has its line: a new code without one fails to compile.
const advice: Record<ErrorCode, string> = {
  unauthenticated: 'Sign in again (Sign in view).',
  forbidden: 'Your role may not do this; ask an administrator.',
  demo_read_only:
    'This server is a public demo: changes are refused. Point the console at your own server in Settings.',
  validation_failed: 'Check the highlighted values and try again.',
  bad_request: 'Check the values and try again.',
  not_found: 'It no longer exists; refresh the list.',
  conflict: 'Someone changed it meanwhile; refresh and try again.',
  rate_limited: 'Too many requests; wait a minute and retry.',
  firewall_denied: "This address is blocked by the server's firewall.",
  account_locked: 'Too many failed sign-ins; wait for the lockout to end.',
  seat_limit: 'All seats are in use; deactivate another machine first.',
  lease_expired: 'The offline lease ran out; connect to the server to renew it.',
  clock_set_back: "The machine's clock moved backwards; fix the time and retry.",
  hardware_mismatch: 'This machine no longer matches its activation; re-activate it.',
  integrity_failed: 'The data failed its integrity check; do not use it, fetch it again.',
  wrong_password: 'The password is wrong; try again.',
  reauth_required: 'Confirm it is you (password or second factor), then try again.',
  mfa_enrolment_required: 'Your role needs a second factor: set one up in the Account view.',
  not_activated: 'Activate this machine first (Sign in view).',
  unavailable: 'Not reachable right now: check the address and that the server is running, then retry.',
  timeout: 'The server took too long; check it is running and retry.',
  cancelled: 'Cancelled; nothing was changed.',
  internal: 'Something failed inside the console; the log has the details.',
  certificate_mismatch:
    "The server's certificate is not one you confirmed: Check server (Sign in view) shows it; compare its fingerprint with your administrator before trusting it.",
  cdn_url_expired: 'The download link expired; start the unlock again for a fresh one.',
  proof_out_of_range: 'Ask for a proof within the log: load the newest checkpoint and use its size.',
  bad_tile_path: 'Use a tile path of the C2SP tlog-tiles form within the newest checkpoint.',
  payload_too_large: 'It is larger than the server accepts; ask an administrator about the limit.',
  untrusted_host:
    "The server does not answer to this address; use the address in the server's trusted hosts.",
  csrf_failed: 'The session check failed; sign out and in again.',
};

/** What the operator can do about an error with this code. */
export function adviceFor(code: ErrorCode): string {
  return advice[code] ?? 'Try again; if it persists, check the console log.';
}
