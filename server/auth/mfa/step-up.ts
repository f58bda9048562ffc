/**
 * Step-up and enrol-only sessions, enforced in one place for every route (after the
 * authorisation gate has found the principal):
 *
 * - A sensitive action needs the session to have proved who it is within
 *   {@link STEP_UP_WINDOW_S}: a sign-in, a second factor, or `POST /api/v1/auth/reauth`.
 *   Otherwise `401 reauth_required`, which a client answers with a prompt and a retry.
 *   API keys are credentials of their own (scoped, expiring, created under step-up):
 *   they may export the audit log but not create keys or change accounts or the firewall.
 * - An account that must change its password (the first-run password file, a reset by
 *   an administrator) may only change it, sign out and read who it is
 *   (`403 password_change_required`).
 * - A session whose role needs a second factor and signed in without one may only use
 *   `/api/v1/auth/*` (enrol a factor, read who it is, sign out).
 */
import type { FastifyInstance } from 'fastify';
import { AuditEventType } from '../../../shared/common/audit-event.ts';
import { ErrorCode } from '../../../shared/common/errors.ts';
import { ApiError } from '../../errors.ts';

export const STEP_UP_WINDOW_S = 5 * 60;

/** `METHOD url-pattern` of every action that needs a recent sign-in. */
export const STEP_UP_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/v1/api-keys',
  'POST /api/v1/api-keys/:id/rotate',
  'POST /api/v1/users',
  'PATCH /api/v1/users/:id',
  'DELETE /api/v1/users/:id',
  'POST /api/v1/firewall/rules',
  'PATCH /api/v1/firewall/rules/:id',
  'DELETE /api/v1/firewall/rules/:id',
  'PUT /api/v1/firewall/limits',
  'POST /api/v1/auth/change-password',
  'GET /api/v1/audit/export',
  // Changing the factors themselves.
  'POST /api/v1/auth/mfa/totp',
  'POST /api/v1/auth/mfa/webauthn/register/options',
  'POST /api/v1/auth/mfa/totp/disable',
  'POST /api/v1/auth/mfa/recovery-codes',
  'DELETE /api/v1/auth/mfa/webauthn/:id',
]);

/** Step-up routes an API key may still call. */
const API_KEY_ALLOWED: ReadonlySet<string> = new Set(['GET /api/v1/audit/export']);

/**
 * What an account that must change its password may do until it has: change it (after a
 * recent sign-in, like any change of it), sign out, read who it is, confirm it is you.
 * Refresh is public and needs no entry here.
 */
const PASSWORD_CHANGE_ALLOWED: ReadonlySet<string> = new Set([
  'POST /api/v1/auth/change-password',
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/me',
  'POST /api/v1/auth/reauth',
]);

/** Routes an enrol-only session may call besides these prefixes. */
const ENROL_ONLY_PREFIX = '/api/v1/auth/';

export function needsStepUp(method: string, url: string | undefined): boolean {
  return url !== undefined && STEP_UP_ROUTES.has(`${method} ${url}`);
}

/**
 * A callback hook: every refusal but the step-up one is decided without waiting, and the
 * common case — a principal with nothing to prove — passes without a promise.
 */
export function installIdentityGate(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const principal = request.principal;
    if (!principal) {
      done();
      return;
    }
    const url = request.routeOptions.config.url ?? '';
    const route = `${request.method} ${url}`;
    if (principal.mustChangePassword && !PASSWORD_CHANGE_ALLOWED.has(route)) {
      done(
        new ApiError(
          ErrorCode.PasswordChangeRequired,
          'this password was set by someone else: change it first (POST /api/v1/auth/change-password)',
        ),
      );
      return;
    }
    if (principal.enrolOnly === true && !url.startsWith(ENROL_ONLY_PREFIX)) {
      done(
        new ApiError(
          ErrorCode.MfaEnrolmentRequired,
          'your role needs a second factor: enrol one (POST /api/v1/auth/mfa/totp) before anything else',
        ),
      );
      return;
    }
    if (!STEP_UP_ROUTES.has(route)) {
      done();
      return;
    }
    if (principal.via === 'api_key') {
      done(
        API_KEY_ALLOWED.has(route)
          ? undefined
          : new ApiError(ErrorCode.Forbidden, 'API keys may not do this: sign in as a person'),
      );
      return;
    }
    const age = Date.now() - (principal.authAt ?? 0);
    if (age <= STEP_UP_WINDOW_S * 1000) {
      done();
      return;
    }
    app.audit
      .append({
        type: AuditEventType.StepUpRequired,
        actor: principal.email,
        resource: route,
        ip: request.ip,
        request_id: request.id,
      })
      .then(
        () =>
          done(
            new ApiError(
              ErrorCode.ReauthRequired,
              `confirm it is you (POST /api/v1/auth/reauth): this needs a sign-in within the last ${STEP_UP_WINDOW_S / 60} minutes`,
            ),
          ),
        done,
      );
  });
}
