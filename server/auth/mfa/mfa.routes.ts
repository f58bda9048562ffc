/**
 * `/api/v1/auth/mfa/*`, `/api/v1/auth/reauth*`: the second step of a sign-in, enrolment
 * and removal of factors, and step-up. Codes and secrets never reach a log line or
 * the audit log; a TOTP secret and recovery codes reach a response exactly once.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuditEventType } from '../../../shared/common/audit-event.ts';
import { ErrorCode } from '../../../shared/common/errors.ts';
import {
  mfaVerifyRequestSchema,
  mfaWebauthnOptionsRequestSchema,
  passkeyRenameRequestSchema,
  reauthRequestSchema,
  totpCodeRequestSchema,
  webauthnRegisterRequestSchema,
  type FactorsResponse,
} from '../../../shared/common/api/identity.ts';
import { ApiError } from '../../errors.ts';
import { toRole } from '../../users/users.service.ts';
import type { Principal } from '../../types.ts';
import { principalOf } from '../auth.hook.ts';
import { clientOf, completeSignIn, factorFailed, lockedError } from './sign-in.ts';
import { STEP_UP_WINDOW_S } from './step-up.ts';
import type { MfaMethod } from './mfa.service.ts';

/** RFC 8176 method values recorded for each factor. */
const AMR: Record<MfaMethod, string> = { totp: 'otp', webauthn: 'hwk', recovery: 'kba' };
const idParams = z.strictObject({ id: z.string().min(1).max(400) });

function sessionPrincipal(request: FastifyRequest): Principal & { sessionId: string } {
  const principal = principalOf(request);
  if (principal.via === 'api_key' || principal.sessionId === undefined) {
    throw new ApiError(ErrorCode.Forbidden, 'API keys have no second factor: sign in as a person');
  }
  return principal as Principal & { sessionId: string };
}

export function mfaRoutes(app: FastifyInstance): void {
  const { users, sessions, throttle } = app.services;
  const { mfa, mfaTokens } = app.identity;

  function passkeys() {
    const service = app.identity.webauthn;
    if (!service) {
      throw new ApiError(
        ErrorCode.NotFound,
        'passkeys are not configured on this server (FACTORY_WEBAUTHN_RP_ID, FACTORY_WEBAUTHN_ORIGIN)',
      );
    }
    return service;
  }

  async function audit(request: FastifyRequest, type: AuditEventType, actor: string, details: object) {
    await app.audit.append({ type, actor, ip: request.ip, request_id: request.id, details: { ...details } });
  }

  /** Refuses removing the last factor of an account whose role requires one. */
  async function keepRequiredFactor(principal: Principal, removing: 'totp' | 'passkey'): Promise<void> {
    if (!app.config.identity.mfaRequiredRoles.includes(principal.role)) return;
    const summary = await mfa.summary(principal.userId);
    const left =
      (summary.totp && removing !== 'totp' ? 1 : 0) + summary.passkeys - (removing === 'passkey' ? 1 : 0);
    if (left < 1) {
      throw new ApiError(
        ErrorCode.Conflict,
        `the ${principal.role} role requires a second factor: add another before removing this one`,
      );
    }
  }

  async function factorEnrolled(
    request: FastifyRequest,
    principal: Principal & { sessionId: string },
    method: string,
  ) {
    await sessions.markAuthenticated(principal.sessionId, { enrolOnly: false });
    await audit(request, AuditEventType.MfaEnrol, principal.email, { method });
  }

  // --- the second step of a sign-in ---------------------------------------------------

  app.post(
    '/api/v1/auth/mfa/verify',
    { config: { permission: 'public', demoAllowed: true } },
    async (request, reply) => {
      const input = mfaVerifyRequestSchema.parse(request.body);
      const row = await mfaTokens.find(input.mfa_token, clientOf(request));
      if (!row || row.first_factor === 'step_up') {
        throw new ApiError(ErrorCode.Unauthenticated, 'this sign-in expired or was finished: sign in again');
      }
      const user = await users.get(row.user_id);
      if (user.disabled === 1) throw new ApiError(ErrorCode.Unauthenticated, 'account disabled');
      const lock = await throttle.check(user.email, request.ip);
      if (lock.locked) throw lockedError(lock.retryAfterS);
      let accepted: boolean;
      if (input.method === 'totp') accepted = await mfa.verifyTotp(user.id, input.code);
      else if (input.method === 'recovery') accepted = await mfa.useRecoveryCode(user.id, input.code);
      else {
        accepted =
          row.webauthn_challenge !== null &&
          (await passkeys().verify(user.id, row.webauthn_challenge, input.assertion));
      }
      if (!accepted) return factorFailed(app, request, user.email, input.method, 'sign_in');
      if (!(await mfaTokens.spend(row.token_hash))) {
        throw new ApiError(ErrorCode.Unauthenticated, 'this sign-in was already finished: sign in again');
      }
      const kind = row.session_kind === 'cookie' ? 'cookie' : 'bearer';
      return completeSignIn(app, request, reply, user, kind, [row.first_factor, AMR[input.method], 'mfa']);
    },
  );

  app.post(
    '/api/v1/auth/mfa/webauthn/options',
    { config: { permission: 'public', demoAllowed: true } },
    async (request) => {
      const input = mfaWebauthnOptionsRequestSchema.parse(request.body);
      const row = await mfaTokens.find(input.mfa_token, clientOf(request));
      if (!row || row.first_factor === 'step_up') {
        throw new ApiError(ErrorCode.Unauthenticated, 'this sign-in expired or was finished: sign in again');
      }
      const options = await passkeys().authenticationOptions(row.user_id);
      await mfaTokens.setChallenge(row.token_hash, options.challenge);
      return { mfa_token: input.mfa_token, options };
    },
  );

  // --- the account's factors -----------------------------------------------------------

  app.get(
    '/api/v1/auth/mfa',
    { config: { permission: 'authenticated' } },
    async (request): Promise<FactorsResponse> => {
      const principal = sessionPrincipal(request);
      const summary = await mfa.summary(principal.userId);
      return {
        totp: summary.totp,
        passkeys: app.identity.webauthn ? await app.identity.webauthn.list(principal.userId) : [],
        recovery_codes_left: summary.recovery_codes_left,
        required: app.config.identity.mfaRequiredRoles.includes(principal.role),
        webauthn_available: app.identity.webauthn !== undefined,
      };
    },
  );

  app.post('/api/v1/auth/mfa/totp', { config: { permission: 'authenticated' } }, async (request, reply) => {
    const principal = sessionPrincipal(request);
    const started = await mfa.startTotp(principal.userId, principal.email);
    if (started === 'already_enrolled') {
      throw new ApiError(ErrorCode.Conflict, 'TOTP is already set up: disable it first to enrol a new one');
    }
    reply.header('cache-control', 'no-store');
    return started;
  });

  app.post(
    '/api/v1/auth/mfa/totp/confirm',
    { config: { permission: 'authenticated' } },
    async (request, reply) => {
      const principal = sessionPrincipal(request);
      const { code } = totpCodeRequestSchema.parse(request.body);
      const codes = await mfa.confirmTotp(principal.userId, code);
      if (!codes) {
        await audit(request, AuditEventType.MfaFailure, principal.email, {
          method: 'totp',
          purpose: 'enrol',
        });
        throw new ApiError(
          ErrorCode.ValidationFailed,
          'code: not accepted (check the device clock, or start enrolment again)',
        );
      }
      await factorEnrolled(request, principal, 'totp');
      reply.header('cache-control', 'no-store');
      return { recovery_codes: codes };
    },
  );

  app.post(
    '/api/v1/auth/mfa/totp/disable',
    { config: { permission: 'authenticated' } },
    async (request, reply) => {
      const principal = sessionPrincipal(request);
      const { code } = totpCodeRequestSchema.parse(request.body);
      if (!(await mfa.summary(principal.userId)).totp)
        throw new ApiError(ErrorCode.NotFound, 'TOTP is not set up');
      await keepRequiredFactor(principal, 'totp');
      const accepted =
        (await mfa.verifyTotp(principal.userId, code)) || (await mfa.useRecoveryCode(principal.userId, code));
      if (!accepted) return factorFailed(app, request, principal.email, 'totp', 'step_up');
      await mfa.removeTotp(principal.userId);
      await audit(request, AuditEventType.MfaRemove, principal.email, { method: 'totp' });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/auth/mfa/recovery-codes',
    { config: { permission: 'authenticated' } },
    async (request, reply) => {
      const principal = sessionPrincipal(request);
      const summary = await mfa.summary(principal.userId);
      if (!summary.totp && summary.passkeys === 0) {
        throw new ApiError(
          ErrorCode.Conflict,
          'recovery codes need a second factor: set up TOTP or a passkey first',
        );
      }
      const codes = await mfa.regenerateRecoveryCodes(principal.userId);
      await audit(request, AuditEventType.MfaEnrol, principal.email, { method: 'recovery' });
      reply.header('cache-control', 'no-store');
      return { recovery_codes: codes };
    },
  );

  // --- passkeys ------------------------------------------------------------------------

  app.post(
    '/api/v1/auth/mfa/webauthn/register/options',
    { config: { permission: 'authenticated' } },
    async (request) => {
      const principal = sessionPrincipal(request);
      return passkeys().registrationOptions({ id: principal.userId, email: principal.email });
    },
  );

  app.post(
    '/api/v1/auth/mfa/webauthn/register',
    { config: { permission: 'authenticated' } },
    async (request, reply) => {
      const principal = sessionPrincipal(request);
      const input = webauthnRegisterRequestSchema.parse(request.body);
      const before = await mfa.summary(principal.userId);
      const passkey = await passkeys().register(principal.userId, input.name, input.response);
      if (!passkey) {
        await audit(request, AuditEventType.MfaFailure, principal.email, {
          method: 'webauthn',
          purpose: 'enrol',
        });
        throw new ApiError(
          ErrorCode.ValidationFailed,
          'response: the passkey registration was not accepted (start again)',
        );
      }
      await factorEnrolled(request, principal, 'webauthn');
      const firstFactor = !before.totp && before.passkeys === 0;
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({
        passkey,
        ...(firstFactor ? { recovery_codes: await mfa.regenerateRecoveryCodes(principal.userId) } : {}),
      });
    },
  );

  app.patch(
    '/api/v1/auth/mfa/webauthn/:id',
    { config: { permission: 'authenticated' } },
    async (request, reply) => {
      const principal = sessionPrincipal(request);
      const { id } = idParams.parse(request.params);
      const { name } = passkeyRenameRequestSchema.parse(request.body);
      if (!(await passkeys().rename(principal.userId, id, name)))
        throw new ApiError(ErrorCode.NotFound, 'no such passkey');
      return reply.code(204).send();
    },
  );

  app.delete(
    '/api/v1/auth/mfa/webauthn/:id',
    { config: { permission: 'authenticated' } },
    async (request, reply) => {
      const principal = sessionPrincipal(request);
      const { id } = idParams.parse(request.params);
      const service = passkeys();
      if (!(await service.list(principal.userId)).some((passkey) => passkey.id === id)) {
        throw new ApiError(ErrorCode.NotFound, 'no such passkey');
      }
      await keepRequiredFactor(principal, 'passkey');
      await service.remove(principal.userId, id);
      await mfa.dropRecoveryCodesIfNoFactor(principal.userId);
      await audit(request, AuditEventType.MfaRemove, principal.email, { method: 'webauthn' });
      return reply.code(204).send();
    },
  );

  // --- step-up -------------------------------------------------------------------------

  app.post(
    '/api/v1/auth/reauth/webauthn/options',
    { config: { permission: 'authenticated' } },
    async (request) => {
      const principal = sessionPrincipal(request);
      const options = await passkeys().authenticationOptions(principal.userId);
      const token = await mfaTokens.issue(principal.userId, clientOf(request), 'bearer', 'step_up');
      const row = await mfaTokens.find(token, clientOf(request));
      if (row) await mfaTokens.setChallenge(row.token_hash, options.challenge);
      return { mfa_token: token, options };
    },
  );

  app.post('/api/v1/auth/reauth', { config: { permission: 'authenticated' } }, async (request) => {
    const principal = sessionPrincipal(request);
    const input = reauthRequestSchema.parse(request.body);
    const lock = await throttle.check(principal.email, request.ip);
    if (lock.locked) throw lockedError(lock.retryAfterS);
    const methods = await mfa.methods(principal.userId);
    let method: string;
    let accepted: boolean;
    if ('password' in input) {
      method = 'password';
      // With a factor enrolled, the password alone does not step up: a stolen session plus
      // a phished password must not reach the sensitive actions.
      if (methods.length > 0) {
        throw new ApiError(
          ErrorCode.ValidationFailed,
          `method: use your second factor (${methods.join(', ')})`,
        );
      }
      accepted = await users.verify(await users.get(principal.userId), input.password);
    } else if (input.method === 'webauthn') {
      method = 'webauthn';
      const row = await mfaTokens.find(input.mfa_token, clientOf(request));
      accepted =
        row !== undefined &&
        row.user_id === principal.userId &&
        row.first_factor === 'step_up' &&
        row.webauthn_challenge !== null &&
        (await passkeys().verify(principal.userId, row.webauthn_challenge, input.assertion)) &&
        (await mfaTokens.spend(row.token_hash));
    } else {
      method = input.method;
      accepted =
        input.method === 'totp'
          ? await mfa.verifyTotp(principal.userId, input.code)
          : await mfa.useRecoveryCode(principal.userId, input.code);
    }
    if (!accepted) return factorFailed(app, request, principal.email, method, 'step_up');
    const now = Date.now();
    await sessions.markAuthenticated(principal.sessionId, {}, now);
    await audit(request, AuditEventType.StepUp, principal.email, { method, role: toRole(principal.role) });
    return { valid_until: new Date(now + STEP_UP_WINDOW_S * 1000).toISOString() };
  });
}
