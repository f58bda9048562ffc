/**
 * The steps of a sign-in after the first factor (a password, or an identity provider's
 * answer): ask for the second factor when the account has one, check it, and finish
 * with a session. Lock-out is shared with passwords: a wrong factor is a failed
 * sign-in of the account, and only a completed sign-in clears the account's counter
 * (a right password alone does not, or a known password would reset the counter
 * between guesses of the factor).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuditEventType } from '../../../shared/common/audit-event.ts';
import { ErrorCode } from '../../../shared/common/errors.ts';
import type { TokenResponse } from '../../../shared/common/api/auth.ts';
import type { MfaChallengeResponse } from '../../../shared/common/api/identity.ts';
import type { AuditAppend } from '../../audit-sink.ts';
import type { Db } from '../../db/database.ts';
import { ApiError } from '../../errors.ts';
import { toRole } from '../../users/users.service.ts';
import { issueTokens } from '../token-response.ts';
import { clientBinding } from './mfa-tokens.ts';

export interface SignInUser {
  id: string;
  email: string;
  role: string;
}

export function lockedError(retryAfterS: number): ApiError {
  return new ApiError(ErrorCode.AccountLocked, `too many failed sign-ins: try again in ${retryAfterS} s`, {
    'retry-after': String(retryAfterS),
  });
}

export function clientOf(request: FastifyRequest): string {
  return clientBinding(request.ip, request.headers['user-agent']);
}

/**
 * The first factor was right. With a second factor enrolled the answer is a challenge
 * (no token); otherwise the sign-in completes.
 */
export async function firstFactorAccepted(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  user: SignInUser,
  kind: 'bearer' | 'cookie',
  amr: string[],
): Promise<TokenResponse | MfaChallengeResponse> {
  const methods = await app.identity.mfa.methods(user.id);
  const usable = methods.filter((method) => method !== 'webauthn' || app.identity.webauthn !== undefined);
  if (usable.length === 0) return completeSignIn(app, request, reply, user, kind, amr);
  const firstFactor = amr.includes('ext') ? 'ext' : 'pwd';
  const token = await app.identity.mfaTokens.issue(user.id, clientOf(request), kind, firstFactor);
  await app.audit.append({
    type: AuditEventType.MfaChallenge,
    actor: user.email,
    ip: request.ip,
    request_id: request.id,
    details: { methods: usable },
  });
  reply.header('cache-control', 'no-store');
  return { mfa_required: true, mfa_token: token, methods: usable };
}

export interface StartedSession {
  sessionId: string;
  refreshToken: string;
}

/**
 * Starts the session on `trx` and appends its `login_success` entry: inside
 * `app.audit.transact`, so the session exists only with its entry. A role that needs a
 * factor, signed in without one, may only enrol.
 */
export async function startSession(
  app: FastifyInstance,
  trx: Db,
  append: AuditAppend,
  request: FastifyRequest,
  user: SignInUser,
  kind: 'bearer' | 'cookie',
  amr: string[],
): Promise<StartedSession> {
  const sessions = app.services.sessions.in(trx);
  const started = await sessions.create(user.id, kind);
  const secondFactor = amr.some((method) => method !== 'pwd' && method !== 'ext');
  const enrolOnly =
    !secondFactor && !amr.includes('mfa') && app.config.identity.mfaRequiredRoles.includes(toRole(user.role));
  await sessions.markAuthenticated(started.sessionId, { amr, enrolOnly });
  append({
    type: AuditEventType.LoginSuccess,
    actor: user.email,
    ip: request.ip,
    request_id: request.id,
    details: { via: kind, amr, ...(enrolOnly ? { enrol_only: true } : {}) },
  });
  return started;
}

/** Starts the session with its entry (see {@link startSession}) and answers with its tokens. */
export async function completeSignIn(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  user: SignInUser,
  kind: 'bearer' | 'cookie',
  amr: string[],
): Promise<TokenResponse> {
  await app.services.throttle.recordSuccess(user.email);
  const started = await app.audit.transact((trx, append) =>
    startSession(app, trx, append, request, user, kind, amr),
  );
  return issueTokens(app, reply, user, started.sessionId, started.refreshToken, kind);
}

/**
 * Counts a failed factor like a failed password (same counters, same lock-out) and
 * audits it; throws the refusal. Never records the code itself.
 */
export async function factorFailed(
  app: FastifyInstance,
  request: FastifyRequest,
  email: string,
  method: string,
  purpose: 'sign_in' | 'step_up' | 'enrol',
): Promise<never> {
  const after = await app.services.throttle.recordFailure(email, request.ip);
  app.metrics.loginFailures.inc();
  request.log.warn({ email, method, purpose, locked: after.locked }, 'second factor refused');
  await app.audit.append({
    type: AuditEventType.MfaFailure,
    actor: email,
    ip: request.ip,
    request_id: request.id,
    details: { method, purpose },
  });
  if (after.locked) {
    await app.audit.append({
      type: AuditEventType.Lockout,
      actor: email,
      ip: request.ip,
      request_id: request.id,
      details: { retry_after_s: after.retryAfterS },
    });
    throw lockedError(after.retryAfterS);
  }
  throw new ApiError(ErrorCode.Unauthenticated, `the ${method} code or key was not accepted`);
}
