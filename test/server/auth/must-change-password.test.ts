/**
 * An account whose password someone else knows (the first-run password in its file, a
 * password set by an administrator) must change it before anything else: until then
 * only change-password, sign-out, `me` and refresh work, and every other route answers
 * `403 password_change_required` (docs/SECURITY.md §Threat model and tests). Before, the
 * flag was stored and shown but nothing enforced it.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBootstrapPassword } from '../../../server/auth/bootstrap.ts';
import { startFactory } from '../../../server/factory.ts';
import { ADMIN_EMAIL, bearer, login, startTestApp, tempDir, type TestApp } from '../helpers.ts';
import fs from 'node:fs/promises';

const NEW_PASSWORD = 'a new passphrase nobody else knows';

async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST',
  url: string,
  token: string,
  payload?: object,
) {
  return app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
}

describe('must_change_password', () => {
  let harness: TestApp;
  beforeAll(async () => {
    // The first-run password written to its file (no development password).
    harness = await startTestApp({ devBootstrapPassword: undefined });
  });
  afterAll(async () => harness.close());

  it('the first-run admin may only change its password, sign out, refresh and read who it is', async () => {
    const password = (await readBootstrapPassword(harness.dataDir))!;
    const session = await login(harness.app, ADMIN_EMAIL, password);
    const me = await call(harness.app, 'GET', '/api/v1/auth/me', session.access_token);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ must_change_password: true });

    for (const [method, url, payload] of [
      ['GET', '/api/v1/users', undefined],
      ['GET', '/api/v1/audit', undefined],
      [
        'POST',
        '/api/v1/users',
        { email: 'mallory@example.test', password: 'mallory password long', role: 'super_admin' },
      ],
      ['POST', '/api/v1/api-keys', { name: 'backdoor', scopes: ['users:admin'] }],
      ['GET', '/api/v1/machines', undefined],
    ] as const) {
      const response = await call(harness.app, method, url, session.access_token, payload);
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json(), `${method} ${url}`).toMatchObject({
        error: { code: 'password_change_required' },
      });
    }
    expect(await harness.app.db.selectFrom('users').select('email').execute()).toHaveLength(1);
    expect(await harness.app.db.selectFrom('api_keys').select('id').execute()).toHaveLength(0);

    const refreshed = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: session.refresh_token },
    });
    expect(refreshed.statusCode).toBe(200);
    const token = (refreshed.json() as { access_token: string }).access_token;

    const changed = await call(harness.app, 'POST', '/api/v1/auth/change-password', token, {
      current_password: password,
      new_password: NEW_PASSWORD,
    });
    expect(changed.statusCode).toBe(204);
    // The same session goes on, now with everything its role allows.
    const users = await call(harness.app, 'GET', '/api/v1/users', token);
    expect(users.statusCode).toBe(200);
    const after = await call(harness.app, 'GET', '/api/v1/auth/me', token);
    expect(after.json()).toMatchObject({ must_change_password: false });
  });

  it('a password set by an administrator must be changed by its owner first; sign-out works', async () => {
    const admin = await login(harness.app, ADMIN_EMAIL, NEW_PASSWORD);
    const created = await call(harness.app, 'POST', '/api/v1/users', admin.access_token, {
      email: 'op@example.test',
      password: 'operator password one',
      role: 'operator',
    });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: string }).id;
    const operator = await login(harness.app, 'op@example.test', 'operator password one');
    expect((await call(harness.app, 'GET', '/api/v1/machines', operator.access_token)).statusCode).toBe(200);

    const reset = await harness.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${id}`,
      headers: bearer(admin.access_token),
      payload: { password: 'set by the admin long' },
    });
    expect(reset.statusCode).toBe(200);
    const again = await login(harness.app, 'op@example.test', 'set by the admin long');
    const refused = await call(harness.app, 'GET', '/api/v1/machines', again.access_token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'password_change_required' } });
    const logout = await call(harness.app, 'POST', '/api/v1/auth/logout', again.access_token, {});
    expect(logout.statusCode).toBe(204);
  });
});

describe("the console's embedded factory", () => {
  it('signs its first-run admin in with the password from its folder, and it works at once', async () => {
    const dataDir = await tempDir();
    const factory = await startFactory({ dataDir, tls: 'off', logLevel: 'silent' });
    try {
      const password = (await readBootstrapPassword(dataDir))!;
      const signIn = await fetch(`${factory.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: factory.adminEmail, password }),
      });
      expect(signIn.status).toBe(200);
      const { access_token } = (await signIn.json()) as { access_token: string };
      const users = await fetch(`${factory.url}/api/v1/users`, { headers: bearer(access_token) });
      expect(users.status).toBe(200);
    } finally {
      await factory.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
