/** Cookie sessions need X-CSRF-Token on state-changing requests; bearer clients do not. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, DEV_PASSWORD, bearer, login, startTestApp, type TestApp } from '../helpers.ts';

let harness: TestApp;
beforeAll(async () => {
  harness = await startTestApp();
});
afterAll(async () => harness.close());

async function cookieLogin() {
  const response = await harness.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email: ADMIN_EMAIL, password: DEV_PASSWORD, session: 'cookie' },
  });
  expect(response.statusCode).toBe(200);
  const cookies = Object.fromEntries(response.cookies.map((cookie) => [cookie.name, cookie.value]));
  const session = response.cookies.find((cookie) => cookie.name === 'fc_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Strict');
  return { cookies, csrf: (response.json() as { csrf_token: string }).csrf_token };
}

describe('CSRF for cookie sessions', () => {
  it('reads with the cookie alone, but state changes need the token', async () => {
    const { cookies, csrf } = await cookieLogin();
    expect(csrf).toBeTruthy();
    const me = await harness.app.inject({ method: 'GET', url: '/api/v1/auth/me', cookies });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ via: 'cookie' });

    const noToken = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies,
      payload: {},
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json()).toMatchObject({ error: { code: 'csrf_failed' } });

    const wrongToken = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies,
      headers: { 'x-csrf-token': `${csrf.slice(0, -2)}xx` },
      payload: {},
    });
    expect(wrongToken.statusCode).toBe(403);

    const withToken = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies,
      headers: { 'x-csrf-token': csrf },
      payload: {},
    });
    expect(withToken.statusCode).toBe(204);
    // Signing out of a cookie session tells the browser to drop its cookies and storage.
    expect(withToken.headers['clear-site-data']).toBe('"cookies", "storage"');
    const after = await harness.app.inject({ method: 'GET', url: '/api/v1/auth/me', cookies });
    expect(after.statusCode).toBe(401);
  });

  it("one session's token does not fit another browser's secret", async () => {
    const first = await cookieLogin();
    const second = await cookieLogin();
    const crossed = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies: first.cookies,
      headers: { 'x-csrf-token': second.csrf },
      payload: {},
    });
    expect(crossed.statusCode).toBe(403);
  });

  it("a token and secret minted for session A are refused with session B's cookie (cookie tossing)", async () => {
    // The attacker signs in (session A) and plants A's CSRF secret cookie in the victim's
    // browser, then sends A's token: only the session cookie is the victim's (session B).
    const attacker = await cookieLogin();
    const victim = await cookieLogin();
    const tossed = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies: { ...victim.cookies, _csrf: attacker.cookies['_csrf']! },
      headers: { 'x-csrf-token': attacker.csrf },
      payload: {},
    });
    expect(tossed.statusCode).toBe(403);
    expect(tossed.json()).toMatchObject({ error: { code: 'csrf_failed' } });
    const still = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      cookies: victim.cookies,
    });
    expect(still.statusCode).toBe(200);
    // The attacker's own pair still works for the attacker's own session.
    const own = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies: attacker.cookies,
      headers: { 'x-csrf-token': attacker.csrf },
      payload: {},
    });
    expect(own.statusCode).toBe(204);
  });

  it('bearer clients are unaffected', async () => {
    const session = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    const response = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(session.access_token),
      payload: {},
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['clear-site-data']).toBeUndefined();
  });
});
