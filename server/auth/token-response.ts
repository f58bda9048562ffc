/**
 * The token response every completed sign-in ends with (password, second factor,
 * single sign-on): an access token, the session's refresh token, and for browser
 * sessions an HttpOnly cookie plus the CSRF token to send back.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TokenResponse } from '../../shared/common/api/auth.ts';
import { toRole } from '../users/users.service.ts';
import { ACCESS_TOKEN_TTL_S } from './access-token.ts';
import { SESSION_COOKIE } from './auth.hook.ts';

export async function issueTokens(
  app: FastifyInstance,
  reply: FastifyReply,
  user: { id: string; email: string; role: string },
  sessionId: string,
  refreshToken: string,
  via: 'bearer' | 'cookie',
): Promise<TokenResponse> {
  const accessToken = await app.services.tokens.issue({ userId: user.id, sessionId });
  const body: TokenResponse = {
    access_token: accessToken,
    refresh_token: refreshToken,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_TTL_S,
    user: { id: user.id, email: user.email, role: toRole(user.role) },
  };
  if (via === 'cookie') {
    reply.setCookie(SESSION_COOKIE, accessToken, {
      httpOnly: true,
      secure: app.config.tls !== 'off',
      sameSite: 'strict',
      path: '/',
      maxAge: ACCESS_TOKEN_TTL_S,
    });
    // Bound to this session (server/app.ts, getUserInfo).
    body.csrf_token = reply.generateCsrf({ userInfo: sessionId });
  }
  reply.header('cache-control', 'no-store');
  return body;
}
