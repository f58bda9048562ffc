/**
 * One line of "what to do" per error code, so every error the UI shows comes with a
 * next step. Codes come from the shared registry; an unknown one gets a generic hint.
 * A view can word a code its own way (`AdviceView`): "sign in again" makes no sense on
 * the Sign in view, and a password that does not open the machine key may be wrong or
 * the hardware may have changed, which the locked screen must say as one account.
 */
import type { BridgeError } from '../../../shared/common/contract/result.ts';
import type { ErrorCode } from '../../../shared/common/errors.ts';

// Every code of the registry has its line: a new code without one fails to compile.
const advice: Record<ErrorCode, string> = {
  unauthenticated: 'Sign in again (Sign in view).',
  forbidden: 'Your role may not do this; ask an administrator.',
  demo_read_only:
    'This server is a public demo: changes are refused. Point the console at your own server in Settings.',
  validation_failed: 'Correct the value named above and try again.',
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
  password_change_required:
    "This account's password was set by someone else (first-run file or an administrator's reset): change it on the server (POST /api/v1/auth/change-password) or ask an administrator, then sign in again.",
  not_activated: 'Activate this machine first (Sign in view).',
  unavailable: 'Not reachable right now: check the address and that the server is running, then retry.',
  timeout: 'The server took too long; check it is running and retry.',
  cancelled: 'Cancelled; nothing was changed.',
  internal: 'Something failed inside the console; the log has the details.',
  certificate_mismatch:
    "The server's certificate is not one you confirmed: Check server shows it; compare its fingerprint with your administrator before trusting it.",
  cdn_url_expired: 'The download link expired; start the unlock again for a fresh one.',
  proof_out_of_range: 'Ask for a proof within the log: load the newest checkpoint and use its size.',
  bad_tile_path: 'Use a tile path of the C2SP tlog-tiles form within the newest checkpoint.',
  payload_too_large: 'It is larger than the server accepts; ask an administrator about the limit.',
  untrusted_host:
    "The server does not answer to this address; use the address in the server's trusted hosts.",
  csrf_failed: 'The session check failed; sign out and in again.',
  tampered:
    'A record of this console (the pinned server key or the clock record) was edited or deleted: restore the console home from a backup, or activate this machine again.',
  seal_missing:
    'Unlock any resource online once, connected to the Factory API; offline opening works again after that.',
};

/** The machine key's one answer to a password it does not open (nothing tells the two causes apart). */
const keyNotOpened =
  "The password did not open this machine's key: either it is not the password of the account this machine was activated for, or the hardware changed in more components than the key tolerates.";

/** Where an error is shown, when that changes what is true or what the operator can do. */
export type AdviceView =
  /** The Sign in & activation view: its own forms are the way to sign in and activate. */
  | 'session'
  /** The locked screen: only the activation account's password, opened offline. */
  | 'locked'
  /** An unlock or an export with the password (the account's sign-in and the machine key). */
  | 'unlock';

const byView: Record<AdviceView, Partial<Record<ErrorCode, { message?: string; advice: string }>>> = {
  session: {
    unauthenticated: { advice: 'Check the email address and the password, then sign in.' },
    wrong_password: { advice: 'Check the password and try again.' },
    account_locked: { advice: 'Too many failed sign-ins: wait for the lockout to end, then sign in.' },
    not_activated: { advice: 'Activate this machine below (step 3).' },
  },
  locked: {
    wrong_password: {
      message: keyNotOpened,
      advice:
        'Type the password again. If it is right, choose "Not now" and activate this machine again (Sign in view).',
    },
    hardware_mismatch: {
      advice: 'Choose "Not now" and activate this machine again (Sign in view).',
    },
  },
  unlock: {
    // The unlock signs in to the activation's server with the password typed here.
    unauthenticated: {
      advice: 'Check the password (of the account this machine was activated for) and try again.',
    },
    wrong_password: {
      message: keyNotOpened,
      advice: 'Check the password and try again. If it is right, activate this machine again (Sign in view).',
    },
  },
};

/** What the operator can do about an error with this code (on `view`, when given). */
export function adviceFor(code: ErrorCode, view?: AdviceView): string {
  return (
    (view ? byView[view][code]?.advice : undefined) ??
    advice[code] ??
    'Try again; if it persists, check the console log.'
  );
}

/** The sentence to show for an error and its next step, worded for `view` when it has its own. */
export function describeError(error: BridgeError, view?: AdviceView): { message: string; advice: string } {
  const own = view ? byView[view][error.code] : undefined;
  return { message: own?.message ?? error.message, advice: adviceFor(error.code, view) };
}
