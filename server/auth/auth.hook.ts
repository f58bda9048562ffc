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
import { ROLE_PERMISSIONS, type Permission } from '../../shared/common/roles.ts';
import { ApiError } from '../errors.ts';
import type { Principal } from '../types.ts';
import { toRole } from '../users/users.service.ts';

export const SESSION_COOKIE = 'fc_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function unauthenticated(message: string): ApiError {
  return new ApiError(ErrorCode.Unauthenticated, message, {
    'www-authenticate': 'Bearer realm="factory-api"',
  });
}

async function principalFromAccessToken(
  app: FastifyInstance,
  token: string,
  via: 'bearer' | 'cookie',
): Promise<Principal> {
  let claims;
  try {
    claims = await app.services.tokens.verify(token);
  } catch {
    throw unauthenticated('invalid or expired access token');
  }
  const user = await app.services.sessions.liveSessionUser(claims.sid, claims.sub);
  if (!user) throw unauthenticated('session ended: sign in again');
  const role = toRole(user.role);
  return {
    userId: user.id,
    email: user.email,
    role,
    permissions: new Set(ROLE_PERMISSIONS[role]),
    via,
    sessionId: claims.sid,
    mustChangePassword: user.must_change_password === 1,
    authAt: user.authAt,
    enrolOnly: user.enrolOnly,
  };
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

/** Finds who is calling, or throws 401. */
async function authenticate(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Principal> {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string') {
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
    const principal = await principalFromAccessToken(app, cookie, 'cookie');
    // The CSRF token is bound to this session (server/app.ts): the check reads its id.
    request.principal = principal;
    if (!SAFE_METHODS.has(request.method)) await checkCsrf(app, request, reply);
    return principal;
  }
  throw unauthenticated('authentication required');
}

/** Installs the gate on `app` (root): it covers every route, including those of other plugins. */
export function installAuthHook(app: FastifyInstance): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    const permission = config.permission;
    // Unmatched requests reach the not-found handler, which has no permission: nothing to guard.
    if (permission === undefined) return;
    if (app.config.demoReadOnly && !SAFE_METHODS.has(request.method) && config.demoAllowed !== true) {
      // Any web page can cause this (it comes before credentials): counted, audited at most
      // once per client and minute (server/demo/demo-refusals.ts).
      await app.demoRefusals?.record(
        request.ip,
        `${request.method} ${request.routeOptions.url ?? request.url}`,
        request.id,
      );
      throw new ApiError(ErrorCode.DemoReadOnly, 'this is a public demo: changes are disabled');
    }
    if (permission === 'public') return;
    const principal = await authenticate(app, request, reply);
    request.principal = principal;
    if (permission === 'authenticated') return;
    if (!principal.permissions.has(permission as Permission)) {
      throw new ApiError(ErrorCode.Forbidden, `missing permission ${permission}`);
    }
  });
}

/** The principal of a route that declared a non-public permission (the gate guarantees it). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiError(ErrorCode.Unauthenticated, 'authentication required');
  return request.principal;
}
