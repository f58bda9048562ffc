/**
 * Single sign-on routes (docs/IDENTITY.md §Single sign-on), the native-app flow of
 * RFC 8252 with the server as the OpenID Connect client:
 *
 *   console ──start {return_to, code_challenge}──▶ server ──authorization URL──▶ console
 *   browser ──▶ provider (login there) ──▶ server /oidc/callback ──303──▶ console's loopback ?code
 *   console ──exchange {code, code_verifier}──▶ server ──▶ token response (or the factor step)
 *
 * The console never sees the provider's password or tokens; the provider's ID token is
 * verified and its nonce spent here. Every refusal is an `sso_failure` entry naming what
 * failed, never a code or token; the account change and the one-time code commit with
 * their entries.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { AuditEventType } from '../../../shared/common/audit-event.ts';
import { ErrorCode } from '../../../shared/common/errors.ts';
import {
  oidcExchangeRequestSchema,
  oidcStartRequestSchema,
  type AuthMethodsResponse,
} from '../../../shared/common/api/identity.ts';
import { ApiError } from '../../errors.ts';
import { firstFactorAccepted } from '../mfa/sign-in.ts';
import { needsNewAccount, resolveAccount, unusablePassword } from './oidc-accounts.ts';
import { OidcLogins } from './oidc-logins.ts';
import { OidcRefusal, type OidcIdentity } from './oidc-provider.client.ts';

/** The loopback redirect of a finished or refused sign-in (RFC 6749 §4.1.2 parameters). */
function loopbackUrl(returnTo: string, params: Record<string, string | null>): string {
  const url = new URL(returnTo);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url.toString();
}

function failurePage(reply: FastifyReply, reason: string): FastifyReply {
  return reply
    .code(400)
    .header('cache-control', 'no-store')
    .type('text/plain; charset=utf-8')
    .send(`Single sign-on did not complete (${reason}). Go back to the console and start again.\n`);
}

export function oidcRoutes(app: FastifyInstance): void {
  const config = app.config.identity.oidc;
  const provider = app.identity.oidc;
  const logins = new OidcLogins(app.db);
  const ssoOff = () => new ApiError(ErrorCode.NotFound, 'single sign-on is not configured on this server');

  const failed = async (
    request: FastifyRequest,
    reason: string,
    details: Record<string, unknown> = {},
  ): Promise<void> => {
    request.log.warn({ reason, ...details }, 'single sign-on refused');
    await app.audit.append({
      type: AuditEventType.SsoFailure,
      actor: typeof details['email'] === 'string' ? details['email'] : null,
      ip: request.ip,
      request_id: request.id,
      details: { reason, ...details },
    });
  };

  app.get(
    '/api/v1/auth/methods',
    { config: { permission: 'public', demoAllowed: true } },
    async (): Promise<AuthMethodsResponse> => ({
      password: config?.only !== true,
      sso: config !== undefined,
      webauthn: app.identity.webauthn !== undefined,
    }),
  );

  app.post(
    '/api/v1/auth/oidc/start',
    { config: { permission: 'public', demoAllowed: true } },
    async (request, reply) => {
      if (!config || !provider) throw ssoOff();
      const input = oidcStartRequestSchema.parse(request.body);
      const port = Number(new URL(input.return_to).port);
      if (!(port >= 1 && port <= 65535)) {
        throw new ApiError(ErrorCode.ValidationFailed, 'return_to: a loopback URL with its port');
      }
      const state = client.randomState();
      const nonce = client.randomNonce();
      const codeVerifier = client.randomPKCECodeVerifier();
      let authorizationUrl: string;
      try {
        authorizationUrl = await provider.authorizationUrl({ state, nonce, codeVerifier });
      } catch (error) {
        request.log.error({ err: error }, 'identity provider discovery failed');
        throw new ApiError(ErrorCode.Unavailable, 'the identity provider cannot be reached: try again later');
      }
      await logins.begin({
        state,
        nonce,
        codeVerifier,
        returnTo: input.return_to,
        clientChallenge: input.code_challenge,
        clientState: input.state,
      });
      reply.header('cache-control', 'no-store');
      return { authorization_url: authorizationUrl };
    },
  );

  app.get(
    '/api/v1/auth/oidc/callback',
    { config: { permission: 'public', demoAllowed: true } },
    async (request, reply) => {
      if (!config || !provider) throw ssoOff();
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const params = new URLSearchParams(query);
      const claim = await logins.claimState(params.get('state') ?? '');
      if (!claim.ok) {
        await failed(request, claim.reason);
        // An unknown state has no console to go back to; a known one hears the refusal.
        return claim.login?.return_to && claim.reason !== 'state_used'
          ? reply.redirect(
              loopbackUrl(claim.login.return_to, {
                error: 'access_denied',
                error_description: claim.reason,
                state: claim.login.client_state,
              }),
              303,
            )
          : failurePage(reply, claim.reason);
      }
      const login = claim.login;
      const refuse = async (reason: string, details: Record<string, unknown> = {}) => {
        await failed(request, reason, details);
        reply.header('cache-control', 'no-store');
        return reply.redirect(
          loopbackUrl(login.return_to ?? '', {
            error: 'access_denied',
            error_description: reason,
            state: login.client_state,
          }),
          303,
        );
      };
      const providerError = params.get('error');
      if (providerError !== null) {
        return refuse('provider_error', { error: providerError.slice(0, 64) });
      }
      let identity: OidcIdentity;
      try {
        identity = await provider.complete(query, {
          state: params.get('state') ?? '',
          nonce: login.nonce,
          codeVerifier: login.code_verifier,
        });
      } catch (error) {
        if (!(error instanceof OidcRefusal)) {
          request.log.error({ err: error }, 'identity provider failed');
          return refuse('provider_unreachable');
        }
        return refuse('id_token_refused', { check: error.check });
      }
      // A new account's (unusable) password is hashed before the transaction: scrypt stays
      // out of the write lock, and a returning person costs no hash at all.
      const passwordHash = (await needsNewAccount(app.db, identity))
        ? await app.services.users.hash(unusablePassword())
        : undefined;
      const outcome = await app.audit.transact(async (trx, append) => {
        if (!(await logins.in(trx).claimNonce(identity.nonce))) {
          return { ok: false as const, reason: 'nonce_replayed' };
        }
        const account = await resolveAccount(
          trx,
          app.services.users.in(trx),
          config,
          identity,
          append,
          { ip: request.ip, requestId: request.id },
          passwordHash,
        );
        if (!account.ok) return account;
        const amr = ['ext', ...(identity.amr.includes('mfa') ? ['mfa'] : [])];
        const code = await logins.in(trx).issueCode(login.state_hash, account.user.id, amr);
        return { ok: true as const, user: account.user, code };
      });
      if (!outcome.ok) {
        return refuse(outcome.reason, {
          ...(identity.email ? { email: identity.email } : {}),
          subject: identity.subject,
        });
      }
      app.services.sessions.forgetUser(outcome.user.id);
      reply.header('cache-control', 'no-store');
      return reply.redirect(
        loopbackUrl(login.return_to ?? '', { code: outcome.code, state: login.client_state }),
        303,
      );
    },
  );

  app.post(
    '/api/v1/auth/oidc/exchange',
    { config: { permission: 'public', demoAllowed: true, rateLimitTier: 'heavy' } },
    async (request, reply) => {
      if (!config || !provider) throw ssoOff();
      const input = oidcExchangeRequestSchema.parse(request.body);
      const redeemed = await logins.redeem(input.code, input.code_verifier);
      if (!redeemed) {
        await failed(request, 'code_refused');
        throw new ApiError(
          ErrorCode.Unauthenticated,
          'the sign-in code is not valid: sign in with SSO again',
        );
      }
      const user = await app.services.users.get(redeemed.userId);
      if (user.disabled === 1) {
        await failed(request, 'account_disabled', { email: user.email });
        throw new ApiError(ErrorCode.Unauthenticated, 'account disabled');
      }
      return firstFactorAccepted(app, request, reply, user, 'bearer', redeemed.amr);
    },
  );
}
