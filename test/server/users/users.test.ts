/**
 * Users CRUD and API keys through the HTTP API: privilege rules (only a super_admin
 * touches admin accounts), the last super_admin is protected, changes end sessions,
 * API keys are shown once, stored hashed and never exceed their owner.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  bearer,
  login,
  startTestApp,
  userWithRole,
  type Session,
  type TestApp,
} from '../helpers.ts';

let harness: TestApp;
let root: Session;
beforeAll(async () => {
  harness = await startTestApp();
  root = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
});
afterAll(async () => harness.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: object) =>
  harness.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });

describe('users', () => {
  it('creates, reads, updates and deletes an account; never returns a password hash', async () => {
    const created = await call('POST', '/api/v1/users', root.access_token, {
      email: 'Operator.One@Example.test',
      password: 'operator password one',
      role: 'operator',
    });
    expect(created.statusCode).toBe(201);
    const user = created.json() as { id: string; email: string; role: string };
    expect(user).toMatchObject({ email: 'operator.one@example.test', role: 'operator', disabled: false });
    expect(created.body).not.toMatch(/scrypt|password_hash|"password"/);

    const duplicate = await call('POST', '/api/v1/users', root.access_token, {
      email: 'operator.one@example.test',
      password: 'operator password two',
      role: 'viewer',
    });
    expect(duplicate.statusCode).toBe(409);

    const list = await call('GET', '/api/v1/users', root.access_token);
    expect((list.json() as { users: Array<{ email: string }> }).users.map((entry) => entry.email)).toContain(
      'operator.one@example.test',
    );
    expect(list.body).not.toContain('$scrypt$');

    const operator = await login(harness.app, 'operator.one@example.test', 'operator password one');
    const changed = await call('PATCH', `/api/v1/users/${user.id}`, root.access_token, { role: 'viewer' });
    expect(changed.json()).toMatchObject({ role: 'viewer' });
    // A role change ends the account's sessions: the old token no longer works.
    expect((await call('GET', '/api/v1/auth/me', operator.access_token)).statusCode).toBe(401);

    expect((await call('DELETE', `/api/v1/users/${user.id}`, root.access_token)).statusCode).toBe(204);
    expect((await call('GET', `/api/v1/users/${user.id}`, root.access_token)).statusCode).toBe(404);
  });

  it('refuses weak new passwords and unknown members with a validation error', async () => {
    const short = await call('POST', '/api/v1/users', root.access_token, {
      email: 'x@example.test',
      password: 'short',
      role: 'viewer',
    });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ error: { code: 'validation_failed' } });
    const extra = await call('POST', '/api/v1/users', root.access_token, {
      email: 'y@example.test',
      password: 'long enough password',
      role: 'viewer',
      is_admin: true,
    });
    expect(extra.statusCode).toBe(400);
  });

  it('an admin cannot create, promote to or change admin-level accounts; a super_admin can', async () => {
    const admin = await userWithRole(harness.app, root, 'admin');
    const escalate = await call('POST', '/api/v1/users', admin.access_token, {
      email: 'sneaky@example.test',
      password: 'sneaky password long',
      role: 'super_admin',
    });
    expect(escalate.statusCode).toBe(403);
    const viewer = await userWithRole(harness.app, root, 'viewer');
    const promote = await call('PATCH', `/api/v1/users/${viewer.user.id}`, admin.access_token, {
      role: 'admin',
    });
    expect(promote.statusCode).toBe(403);
    const demoteRoot = await call('PATCH', `/api/v1/users/${root.user.id}`, admin.access_token, {
      disabled: true,
    });
    expect(demoteRoot.statusCode).toBe(403);
    const fine = await call('PATCH', `/api/v1/users/${viewer.user.id}`, admin.access_token, {
      role: 'operator',
    });
    expect(fine.statusCode).toBe(200);
  });

  it('protects the last enabled super_admin', async () => {
    const disable = await call('PATCH', `/api/v1/users/${root.user.id}`, root.access_token, {
      disabled: true,
    });
    expect(disable.statusCode).toBe(409);
    const remove = await call('DELETE', `/api/v1/users/${root.user.id}`, root.access_token);
    expect(remove.statusCode).toBe(409);
  });

  it('change-password checks the current password and ends other sessions', async () => {
    const viewer = await userWithRole(harness.app, root, 'viewer');
    const other = await login(harness.app, viewer.user.email, viewer.password);
    const wrong = await call('POST', '/api/v1/auth/change-password', viewer.access_token, {
      current_password: 'not the password',
      new_password: 'a brand new passphrase',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'wrong_password' } });
    const ok = await call('POST', '/api/v1/auth/change-password', viewer.access_token, {
      current_password: viewer.password,
      new_password: 'a brand new passphrase',
    });
    expect(ok.statusCode).toBe(204);
    expect((await call('GET', '/api/v1/auth/me', viewer.access_token)).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/auth/me', other.access_token)).statusCode).toBe(401);
    await login(harness.app, viewer.user.email, 'a brand new passphrase');
  });
});

describe('API keys', () => {
  it('shows the key once, stores only its hash, and authenticates with exactly its scopes', async () => {
    const created = await call('POST', '/api/v1/api-keys', root.access_token, {
      name: 'metrics scraper',
      scopes: ['metrics:read'],
    });
    expect(created.statusCode).toBe(201);
    const { key, id } = created.json() as { key: string; id: string };
    expect(key).toMatch(/^fk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const secret = key.slice('fk_0123456789abcdef_'.length);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);

    const stored = await harness.app.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    const listed = await call('GET', '/api/v1/api-keys', root.access_token);
    expect(listed.body).not.toContain(key);

    const metrics = await harness.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { 'x-api-key': key },
    });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('factory_http_requests_total');
    const users = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { 'x-api-key': key },
    });
    expect(users.statusCode).toBe(403);
    const tampered = await harness.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { 'x-api-key': `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}` },
    });
    expect(tampered.statusCode).toBe(401);

    expect((await call('DELETE', `/api/v1/api-keys/${id}`, root.access_token)).statusCode).toBe(204);
    const revoked = await harness.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { 'x-api-key': key },
    });
    expect(revoked.statusCode).toBe(401);
  });

  it('cannot grant scopes the creator does not hold', async () => {
    const admin = await userWithRole(harness.app, root, 'admin');
    const refused = await call('POST', '/api/v1/api-keys', admin.access_token, {
      name: 'too much',
      scopes: ['users:admin'],
    });
    expect(refused.statusCode).toBe(403);
  });
});
