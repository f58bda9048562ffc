/**
 * `/api/v1/auth/mfa/*`, `/api/v1/auth/reauth*`: the second step of a sign-in, enrolment
 * and removal of factors, and step-up. Codes and secrets never reach a log line or
 * the audit log; a TOTP secret and recovery codes reach a response exactly once.
 * Each change commits with its audit entry in one transaction (`app.audit.transact`),
 * the check of the code it rests on included, so a code is spent only with its entry;
 * a refused code is audited (and counted towards the lock-out) on its own.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../db/database.ts';
import { z } from 'zod';
import { AuditEventType, type AuditEventInput } from '../../../shared/common/audit-event.ts';
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
import { clientOf, factorFailed, lockedError, startSession } from './sign-in.ts';
import { issueTokens } from '../token-response.ts';
import { STEP_UP_WINDOW_S } from './step-up.ts';
import type { MfaMethod, MfaService } from './mfa.service.ts';

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

  /** An entry of this request (appended alone for a refusal, or with its change). */
  function entry(
    request: FastifyRequest,
    type: AuditEventType,
    actor: string,
    details: object,
  ): AuditEventInput {
    return { type, actor, ip: request.ip, request_id: request.id, details: { ...details } };
  }

  /** A refusal that changes nothing: its entry alone. */
  async function audit(request: FastifyRequest, type: AuditEventType, actor: string, details: object) {
    await app.audit.append(entry(request, type, actor, details));
  }

  /** Refuses removing the last factor of an account whose role requires one. */
  async function keepRequiredFactor(
    store: MfaService,
    principal: Principal,
    removing: 'totp' | 'passkey',
  ): Promise<void> {
    if (!app.config.identity.mfaRequiredRoles.includes(principal.role)) return;
    const summary = await store.summary(principal.userId);
    const left =
      (summary.totp && removing !== 'totp' ? 1 : 0) + summary.passkeys - (removing === 'passkey' ? 1 : 0);
    if (left < 1) {
      throw new ApiError(
        ErrorCode.Conflict,
        `the ${principal.role} role requires a second factor: add another before removing this one`,
      );
    }
  }

  /** Whether `code` is the account's current TOTP code or an unused recovery code (spends it), on `store`. */
  async function totpOrRecovery(store: MfaService, userId: string, method: MfaMethod, code: string) {
    return method === 'totp' ? store.verifyTotp(userId, code) : store.useRecoveryCode(userId, code);
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
      const kind = row.session_kind === 'cookie' ? 'cookie' : 'bearer';
      // The factor, the token's spending, the session and its entry: one transaction.
      const started = await app.audit.transact(async (trx, append) => {
        let accepted: boolean;
        if (input.method === 'webauthn') {
          accepted =
            row.webauthn_challenge !== null &&
            (await passkeys().in(trx).verify(user.id, row.webauthn_challenge, input.assertion));
        } else {
          accepted = await totpOrRecovery(mfa.in(trx), user.id, input.method, input.code);
        }
        if (!accepted) return undefined;
        if (!(await mfaTokens.in(trx).spend(row.token_hash))) {
          throw new ApiError(ErrorCode.Unauthenticated, 'this sign-in was already finished: sign in again');
        }
        return startSession(app, trx, append, request, user, kind, [
          row.first_factor,
          AMR[input.method],
          'mfa',
        ]);
      });
      if (!started) return factorFailed(app, request, user.email, input.method, 'sign_in');
      await throttle.recordSuccess(user.email);
      return issueTokens(app, reply, user, started.sessionId, started.refreshToken, kind);
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

  // A pending enrolment is no factor yet (nothing to audit); confirming it is.
  app.post('/api/v1/auth/mfa/totp', { config: { permission: 'authenticated' } }, async (request, reply) => {
    const principal = sessionPrincipal(request);
    const started = await mfa.startTotp(principal.userId, principal.email);
    if (started === 'already_enrolled') {
      throw new ApiError(ErrorCode.Conflict, 'TOTP is already set up: disable it first to enrol a new one');
    }
    reply.header('cache-control', 'no-store');
    return started;
  });

  /** A factor enrolled on `trx`: the session is no longer enrol-only, and the entry goes with it. */
  async function factorEnrolled(
    trx: Db,
    append: (event: AuditEventInput) => void,
    request: FastifyRequest,
    principal: Principal & { sessionId: string },
    method: string,
  ) {
    await sessions.in(trx).markAuthenticated(principal.sessionId, { enrolOnly: false });
    append(entry(request, AuditEventType.MfaEnrol, principal.email, { method }));
  }

  app.post(
    '/api/v1/auth/mfa/totp/confirm',
    { config: { permission: 'authenticated' } },
    async (request, reply) => {
      const principal = sessionPrincipal(request);
      const { code } = totpCodeRequestSchema.parse(request.body);
      const codes = await app.audit.transact(async (trx, append) => {
        const fresh = await mfa.in(trx).confirmTotp(principal.userId, code);
        if (fresh) await factorEnrolled(trx, append, request, principal, 'totp');
        return fresh;
      });
      sessions.forgetUser(principal.userId);
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
      const removed = await app.audit.transact(async (trx, append) => {
        const store = mfa.in(trx);
        if (!(await store.summary(principal.userId)).totp)
          throw new ApiError(ErrorCode.NotFound, 'TOTP is not set up');
        await keepRequiredFactor(store, principal, 'totp');
        const accepted =
          (await store.verifyTotp(principal.userId, code)) ||
          (await store.useRecoveryCode(principal.userId, code));
        if (!accepted) return false;
        await store.removeTotp(principal.userId);
        append(entry(request, AuditEventType.MfaRemove, principal.email, { method: 'totp' }));
        return true;
      });
      if (!removed) return factorFailed(app, request, principal.email, 'totp', 'step_up');
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/auth/mfa/recovery-codes',
    { config: { permission: 'authenticated' } },
    async (request, reply) => {
      const principal = sessionPrincipal(request);
      const codes = await app.audit.transact(async (trx, append) => {
        const store = mfa.in(trx);
        const summary = await store.summary(principal.userId);
        if (!summary.totp && summary.passkeys === 0) {
          throw new ApiError(
            ErrorCode.Conflict,
            'recovery codes need a second factor: set up TOTP or a passkey first',
          );
        }
        const fresh = await store.regenerateRecoveryCodes(principal.userId);
        append(entry(request, AuditEventType.MfaEnrol, principal.email, { method: 'recovery' }));
        return fresh;
      });
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
      const service = passkeys();
      const outcome = await app.audit.transact(async (trx, append) => {
        const store = mfa.in(trx);
        const before = await store.summary(principal.userId);
        // The pending challenge is spent either way (a refusal commits that alone).
        const passkey = await service.in(trx).register(principal.userId, input.name, input.response);
        if (!passkey) return undefined;
        await factorEnrolled(trx, append, request, principal, 'webauthn');
        const firstFactor = !before.totp && before.passkeys === 0;
        return {
          passkey,
          ...(firstFactor ? { recovery_codes: await store.regenerateRecoveryCodes(principal.userId) } : {}),
        };
      });
      sessions.forgetUser(principal.userId);
      if (!outcome) {
        await audit(request, AuditEventType.MfaFailure, principal.email, {
          method: 'webauthn',
          purpose: 'enrol',
        });
        throw new ApiError(
          ErrorCode.ValidationFailed,
          'response: the passkey registration was not accepted (start again)',
        );
      }
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(outcome);
    },
  );

  app.patch(
    '/api/v1/auth/mfa/webauthn/:id',
    { config: { permission: 'authenticated' } },
    async (request, reply) => {
      const principal = sessionPrincipal(request);
      const { id } = idParams.parse(request.params);
      const { name } = passkeyRenameRequestSchema.parse(request.body);
      const service = passkeys();
      await app.audit.transact(async (trx, append) => {
        if (!(await service.in(trx).rename(principal.userId, id, name)))
          throw new ApiError(ErrorCode.NotFound, 'no such passkey');
        append(entry(request, AuditEventType.MfaUpdate, principal.email, { method: 'webauthn', name }));
      });
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
      await app.audit.transact(async (trx, append) => {
        const passkeysOf = service.in(trx);
        const store = mfa.in(trx);
        if (!(await passkeysOf.list(principal.userId)).some((passkey) => passkey.id === id)) {
          throw new ApiError(ErrorCode.NotFound, 'no such passkey');
        }
        await keepRequiredFactor(store, principal, 'passkey');
        await passkeysOf.remove(principal.userId, id);
        await store.dropRecoveryCodesIfNoFactor(principal.userId);
        append(entry(request, AuditEventType.MfaRemove, principal.email, { method: 'webauthn' }));
      });
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
    const method = 'password' in input ? 'password' : input.method;
    // Hashing is slow: the password is checked before the write transaction.
    let passwordAccepted = false;
    if ('password' in input) {
      // With a factor enrolled, the password alone does not step up: a stolen session plus
      // a phished password must not reach the sensitive actions.
      if (methods.length > 0) {
        throw new ApiError(
          ErrorCode.ValidationFailed,
          `method: use your second factor (${methods.join(', ')})`,
        );
      }
      passwordAccepted = await users.verify(await users.get(principal.userId), input.password);
    }
    const now = Date.now();
    const accepted = await app.audit.transact(async (trx, append) => {
      let ok: boolean;
      if ('password' in input) ok = passwordAccepted;
      else if (input.method === 'webauthn') {
        const tokens = mfaTokens.in(trx);
        const row = await tokens.find(input.mfa_token, clientOf(request));
        ok =
          row !== undefined &&
          row.user_id === principal.userId &&
          row.first_factor === 'step_up' &&
          row.webauthn_challenge !== null &&
          (await passkeys().in(trx).verify(principal.userId, row.webauthn_challenge, input.assertion)) &&
          (await tokens.spend(row.token_hash));
      } else {
        ok = await totpOrRecovery(mfa.in(trx), principal.userId, input.method, input.code);
      }
      if (!ok) return false;
      await sessions.in(trx).markAuthenticated(principal.sessionId, {}, now);
      append(
        entry(request, AuditEventType.StepUp, principal.email, { method, role: toRole(principal.role) }),
      );
      return true;
    });
    if (!accepted) return factorFailed(app, request, principal.email, method, 'step_up');
    return { valid_until: new Date(now + STEP_UP_WINDOW_S * 1000).toISOString() };
  });
}
