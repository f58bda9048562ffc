/**
 * The authorisation gate, run on every request before its body is read (onRequest):
 * the route's declared permission decides; public demo mode refuses state changes;
 * credentials are a bearer access token, an `X-API-Key`, or a session cookie — the
 * last one only with a valid `X-CSRF-Token` on state-changing requests.
 *
 * Trust boundary: everything here comes from the client. Tokens are verified (never
 * just decoded), the session behind a token must be live, and the account's current
 * role — not one remembered in the token — gives the permissions.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../../shared/common/errors.ts';
import { ROLE_PERMISSIONS, type Permission, type Role } from '../../shared/common/roles.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../types.ts';
import type { AccessClaims } from './access-token.ts';
import { toRole } from '../users/users.service.ts';

export const SESSION_COOKIE = 'fc_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function unauthenticated(message: string): ApiError {
  return new ApiError(ErrorCode.Unauthenticated, message, {
    'www-authenticate': 'Bearer realm="factory-api"',
  });
}

/** Each role's permissions as a set, built once (a principal only reads them). */
const ROLE_PERMISSION_SETS: ReadonlyMap<Role, ReadonlySet<Permission>> = new Map(
  (Object.keys(ROLE_PERMISSIONS) as Role[]).map((role) => [role, new Set(ROLE_PERMISSIONS[role])]),
);

/**
 * `value`, or what it resolves to, passed on to `next`. The gate's usual path — a bearer
 * token seen before, a session looked up within the last second — waits for nothing, so
 * it runs without a promise per step; anything that must wait (a database lookup, an API
 * key's hash, the CSRF check) still returns one.
 */
function andThen<T, U>(value: T | Promise<T>, next: (value: T) => U | Promise<U>): U | Promise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

function principalFromAccessToken(
  app: FastifyInstance,
  token: string,
  via: 'bearer' | 'cookie',
): Principal | Promise<Principal> {
  let claims: AccessClaims;
  try {
    claims = app.services.tokens.verify(token);
  } catch {
    throw unauthenticated('invalid or expired access token');
  }
  return andThen(app.services.sessions.liveSessionUser(claims.sid, claims.sub), (user) => {
    if (!user) throw unauthenticated('session ended: sign in again');
    const role = toRole(user.role);
    return {
      userId: user.id,
      email: user.email,
      role,
      permissions: ROLE_PERMISSION_SETS.get(role) ?? new Set<Permission>(),
      via,
      sessionId: claims.sid,
      mustChangePassword: user.must_change_password === 1,
      authAt: user.authAt,
      enrolOnly: user.enrolOnly,
    };
  });
}

async function checkCsrf(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (typeof request.headers[CSRF_HEADER] !== 'string') {
    throw new ApiError(
      ErrorCode.CsrfFailed,
      'cookie sessions must send X-CSRF-Token on state-changing requests',
    );
  }
  // @fastify/csrf-protection answers a bad token by sending the reply itself; hand it a
  // reply whose `send` reports the refusal to us, so the error has our shape and code.
  await new Promise<void>((resolve, reject) => {
    const probe = {
      send: () => reject(new ApiError(ErrorCode.CsrfFailed, 'invalid CSRF token')),
      unsignCookie: (value: string) => reply.unsignCookie(value),
    } as unknown as FastifyReply;
    app.csrfProtection.call(app, request, probe, () => resolve());
  });
}

async function apiKeyPrincipal(app: FastifyInstance, apiKey: string): Promise<Principal> {
  const key = await app.services.apiKeys.authenticate(apiKey);
  if (!key) throw unauthenticated('invalid API key');
  return {
    userId: key.ownerId,
    email: key.ownerEmail,
    role: 'none',
    permissions: new Set(key.permissions),
    via: 'api_key',
    apiKeyId: key.keyId,
    mustChangePassword: false,
  };
}

/** Finds who is calling, or throws (or rejects with) 401. */
function authenticate(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
): Principal | Promise<Principal> {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKeyPrincipal(app, apiKey);
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization);
    if (!match) throw unauthenticated('expected Authorization: Bearer <token>');
    return principalFromAccessToken(app, match[1]!, 'bearer');
  }
  // Cookies are parsed only here, for the requests that need them (the cookie plugin's
  // per-request parsing is off: most clients are bearer clients).
  const header = request.headers.cookie;
  request.cookies = typeof header === 'string' ? app.parseCookie(header) : {};
  const cookie = request.cookies[SESSION_COOKIE];
  if (typeof cookie === 'string' && cookie.length > 0) {
    return andThen(principalFromAccessToken(app, cookie, 'cookie'), (principal) => {
      // The CSRF token is bound to this session (server/app.ts): the check reads its id.
      request.principal = principal;
      if (SAFE_METHODS.has(request.method)) return principal;
      return checkCsrf(app, request, reply).then(() => principal);
    });
  }
  throw unauthenticated('authentication required');
}

/**
 * Installs the gate on `app` (root): it covers every route, including those of other plugins.
 * A callback hook: a refusal is `done(error)`, answered by the error handler exactly as a
 * thrown error, and the usual path completes without a promise (docs/SERVER.md §Performance).
 */
export function installAuthHook(app: FastifyInstance): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', (request, reply, done) => {
    const config = request.routeOptions.config;
    const permission = config.permission;
    // Unmatched requests reach the not-found handler, which has no permission: nothing to guard.
    if (permission === undefined) {
      done();
      return;
    }
    if (app.config.demoReadOnly && !SAFE_METHODS.has(request.method) && config.demoAllowed !== true) {
      // Any web page can cause this (it comes before credentials): counted, audited at most
      // once per client and minute (server/demo/demo-refusals.ts).
      const refused = new ApiError(ErrorCode.DemoReadOnly, 'this is a public demo: changes are disabled');
      Promise.resolve(
        app.demoRefusals?.record(request.ip, `${request.method} ${config.url ?? request.url}`, request.id),
      ).then(() => done(refused), done);
      return;
    }
    if (permission === 'public') {
      done();
      return;
    }
    const admit = (principal: Principal): void => {
      request.principal = principal;
      if (permission !== 'authenticated' && !principal.permissions.has(permission as Permission)) {
        done(new ApiError(ErrorCode.Forbidden, `missing permission ${permission}`));
        return;
      }
      done();
    };
    let outcome: Principal | Promise<Principal>;
    try {
      outcome = authenticate(app, request, reply);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (outcome instanceof Promise) outcome.then(admit, done);
    else admit(outcome);
  });
}

/** The principal of a route that declared a non-public permission (the gate guarantees it). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiError(ErrorCode.Unauthenticated, 'authentication required');
  return request.principal;
}
