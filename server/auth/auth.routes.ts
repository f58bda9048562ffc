/**
 * `/api/v1/auth/*`: sign-in, refresh, sign-out, who-am-I, password change. Every
 * failure and lock-out is logged and audited; no response says whether an account
 * exists.
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hkdfSha256 } from '../../shared/node/crypto/kdf.ts';
import { AuditEventType } from '../../shared/common/audit-event.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { ROLE_PERMISSIONS } from '../../shared/common/roles.ts';
import {
  changePasswordRequestSchema,
  loginRequestSchema,
  logoutRequestSchema,
  refreshRequestSchema,
  type MeResponse,
  type SessionListResponse,
} from '../../shared/common/api/auth.ts';
import { ApiError } from '../errors.ts';
import { SESSION_COOKIE, principalOf } from './auth.hook.ts';
import { firstFactorAccepted, lockedError as locked } from './mfa/sign-in.ts';
import { issueTokens } from './token-response.ts';

const sessionIdParams = z.strictObject({ id: z.uuid('a session id') });

export function authRoutes(app: FastifyInstance): void {
  const { users, sessions, throttle } = app.services;
  // Keyed, so the hash of a guessable text cannot be looked up without the server's key.
  const unknownKey = hkdfSha256(
    app.keys.master,
    Buffer.alloc(0),
    'FactoryConsole/audit/unknown-account/v1',
    32,
  );
  const unknownAccount = (email: string): string =>
    `unknown:${createHmac('sha256', unknownKey).update(email).digest('hex').slice(0, 32)}`;

  app.post(
    '/api/v1/auth/login',
    { config: { permission: 'public', demoAllowed: true } },
    async (request, reply) => {
      const input = loginRequestSchema.parse(request.body);
      const address = request.ip;
      const lock = await throttle.check(input.email, address);
      if (lock.locked) throw locked(lock.retryAfterS);
      const user = await users.authenticate(input.email, input.password);
      if (!user) {
        const after = await throttle.recordFailure(input.email, address);
        app.metrics.loginFailures.inc();
        // What was typed may be a password: an unknown account is named by a keyed hash only.
        const actor = (await users.exists(input.email)) ? input.email : unknownAccount(input.email);
        request.log.warn({ email: actor, locked: after.locked }, 'sign-in failed');
        await app.audit.append({
          type: AuditEventType.LoginFailure,
          actor,
          ip: address,
          request_id: request.id,
        });
        if (after.locked) {
          await app.audit.append({
            type: AuditEventType.Lockout,
            actor,
            ip: address,
            request_id: request.id,
            details: { retry_after_s: after.retryAfterS },
          });
          throw locked(after.retryAfterS);
        }
        throw new ApiError(ErrorCode.Unauthenticated, 'wrong e-mail or password');
      }
      if (app.config.identity.oidc?.only === true && user.role !== 'super_admin') {
        throw new ApiError(ErrorCode.Forbidden, 'password sign-in is off on this server: sign in with SSO');
      }
      return firstFactorAccepted(app, request, reply, user, input.session, ['pwd']);
    },
  );

  app.post(
    '/api/v1/auth/refresh',
    { config: { permission: 'public', demoAllowed: true } },
    async (request, reply) => {
      const input = refreshRequestSchema.parse(request.body);
      const result = await sessions.rotate(input.refresh_token);
      if (!result.ok) {
        if (result.reason === 'reuse') {
          request.log.warn({ session: result.sessionId }, 'refresh token reused: session revoked');
          await app.audit.append({
            type: AuditEventType.RefreshReuse,
            actor: result.userId,
            ip: request.ip,
            request_id: request.id,
            details: { session_id: result.sessionId },
          });
        }
        throw new ApiError(ErrorCode.Unauthenticated, 'refresh token is not valid: sign in again');
      }
      const user = await users.get(result.userId);
      if (user.disabled === 1) throw new ApiError(ErrorCode.Unauthenticated, 'account disabled');
      return issueTokens(app, reply, user, result.sessionId, result.refreshToken, 'bearer');
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { permission: 'authenticated', demoAllowed: true } },
    async (request, reply) => {
      const principal = principalOf(request);
      const input = logoutRequestSchema.parse(request.body ?? {});
      const fromRefresh = input.refresh_token
        ? await sessions.sessionOfRefreshToken(input.refresh_token)
        : undefined;
      const ended = [...new Set([principal.sessionId, fromRefresh])].filter((id) => id !== undefined);
      await app.audit.transact(async (trx, append) => {
        for (const sessionId of ended) await sessions.in(trx).revoke(sessionId, 'logout');
        append({
          type: AuditEventType.Logout,
          actor: principal.email,
          ip: request.ip,
          request_id: request.id,
        });
      });
      // Forgotten again after the commit: a lookup made meanwhile may have read the session live.
      for (const sessionId of ended) sessions.forgetSession(sessionId);
      for (const sessionId of ended) app.accountEvents.emit({ sessionId });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      // A browser signing out of a cookie session drops this origin's cookies and storage too.
      if (principal.via === 'cookie') reply.header('clear-site-data', '"cookies", "storage"');
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    { config: { permission: 'authenticated' } },
    async (request): Promise<MeResponse> => {
      const principal = principalOf(request);
      return {
        user: { id: principal.userId, email: principal.email, role: principal.role },
        permissions: [
          ...(principal.via === 'api_key' ? principal.permissions : ROLE_PERMISSIONS[principal.role]),
        ],
        via: principal.via,
        public_demo: app.config.demoReadOnly,
        must_change_password: principal.mustChangePassword,
        ...(principal.enrolOnly === true ? { mfa_enrolment_required: true } : {}),
      };
    },
  );

  app.get(
    '/api/v1/auth/sessions',
    { config: { permission: 'authenticated' } },
    async (request): Promise<SessionListResponse> => {
      const principal = principalOf(request);
      const rows = await sessions.listForUser(principal.userId);
      return { sessions: rows.map((row) => ({ ...row, current: row.id === principal.sessionId })) };
    },
  );

  app.delete(
    '/api/v1/auth/sessions/:id',
    { config: { permission: 'authenticated' } },
    async (request, reply) => {
      const principal = principalOf(request);
      const { id } = sessionIdParams.parse(request.params);
      await app.audit.transact(async (trx, append) => {
        // Someone else's session, or one already ended, is not found (no hint that it exists).
        if (!(await sessions.in(trx).revokeOwn(principal.userId, id, 'user_revoke'))) {
          throw new ApiError(ErrorCode.NotFound, 'no such session');
        }
        append({
          type: AuditEventType.SessionRevoke,
          actor: principal.email,
          resource: `session/${id}`,
          ip: request.ip,
          request_id: request.id,
        });
      });
      sessions.forgetSession(id);
      app.accountEvents.emit({ sessionId: id });
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/auth/change-password',
    // A password check like sign-in: the same tier, counters and lock-out, failures audited.
    { config: { permission: 'authenticated', rateLimitTier: 'heavy' } },
    async (request, reply) => {
      const principal = principalOf(request);
      if (principal.via === 'api_key') throw new ApiError(ErrorCode.Forbidden, 'API keys have no password');
      const input = changePasswordRequestSchema.parse(request.body);
      const user = await users.get(principal.userId);
      const lock = await throttle.check(user.email, request.ip);
      if (lock.locked) throw locked(lock.retryAfterS);
      if (!(await users.verify(user, input.current_password))) {
        const after = await throttle.recordFailure(user.email, request.ip);
        app.metrics.loginFailures.inc();
        request.log.warn({ user: user.id, locked: after.locked }, 'password change: wrong current password');
        await app.audit.append({
          type: AuditEventType.LoginFailure,
          actor: user.email,
          ip: request.ip,
          request_id: request.id,
          details: { purpose: 'change_password' },
        });
        if (after.locked) {
          await app.audit.append({
            type: AuditEventType.Lockout,
            actor: user.email,
            ip: request.ip,
            request_id: request.id,
            details: { retry_after_s: after.retryAfterS },
          });
          throw locked(after.retryAfterS);
        }
        throw new ApiError(ErrorCode.WrongPassword, 'current password is wrong');
      }
      if (input.new_password === input.current_password) {
        throw new ApiError(ErrorCode.ValidationFailed, 'new_password: must differ from the current password');
      }
      await throttle.recordSuccess(user.email);
      const passwordHash = await users.hash(input.new_password);
      await app.audit.transact(async (trx, append) => {
        await users.in(trx).setOwnPassword(user.id, passwordHash);
        await sessions.in(trx).revokeAllForUser(user.id, 'password_change', principal.sessionId);
        append({
          type: AuditEventType.PasswordChange,
          actor: user.email,
          ip: request.ip,
          request_id: request.id,
        });
      });
      sessions.forgetUser(user.id);
      app.accountEvents.emit({
        userId: user.id,
        ...(principal.sessionId ? { keepSessionId: principal.sessionId } : {}),
      });
      return reply.code(204).send();
    },
  );
}
