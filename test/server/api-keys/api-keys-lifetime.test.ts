/**
 * A stolen 15-minute admin token must not mint a credential that outlives it: API keys
 * expire (default 90 days, at most `FACTORY_API_KEY_MAX_DAYS`), creating and rotating one
 * needs a recent sign-in, rotation replaces the secret (the old one stops working, the
 * change is audited), and an administrator's password reset or disabling the owner
 * revokes the owner's keys (docs/SECURITY.md §Threat model and tests).
 */
import { sql } from 'kysely';
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

const DAY_MS = 86_400_000;
const MAX_DAYS = 120;

let harness: TestApp;
let admin: Session;

beforeAll(async () => {
  harness = await startTestApp({ apiKeys: { maxDays: MAX_DAYS } });
  admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
});
afterAll(async () => harness.close());

interface Created {
  id: string;
  key: string;
  expires_at: string | null;
}

async function create(session: Session, payload: object) {
  return harness.app.inject({
    method: 'POST',
    url: '/api/v1/api-keys',
    headers: bearer(session.access_token),
    payload: { name: 'ci', scopes: ['status:read'], ...payload },
  });
}

async function useKey(key: string): Promise<number> {
  const response = await harness.app.inject({
    method: 'GET',
    url: '/api/v1/auth/me',
    headers: { 'x-api-key': key },
  });
  return response.statusCode;
}

/** Moves the session's last sign-in `minutes` into the past. */
async function ageSession(session: Session, minutes: number): Promise<void> {
  const claims = JSON.parse(Buffer.from(session.access_token.split('.')[1]!, 'base64url').toString()) as {
    sid: string;
  };
  await harness.app.db
    .updateTable('sessions')
    .set({ auth_at: new Date(Date.now() - minutes * 60_000).toISOString() })
    .where('id', '=', claims.sid)
    .execute();
  harness.app.services.sessions.forgetUser(session.user.id);
}

async function auditTypes(resource: string): Promise<string[]> {
  const rows = await sql<{ type: string }>`
    select type from audit_entries where resource = ${resource} order by seq`.execute(harness.app.db);
  return rows.rows.map((row) => row.type);
}

/** The details of `type` entries (as stored). */
async function auditDetails(type: string, resource?: string): Promise<string[]> {
  const rows = await sql<{ details: string }>`
    select details from audit_entries where type = ${type}
    and (${resource ?? null} is null or resource = ${resource ?? null}) order by seq`.execute(harness.app.db);
  return rows.rows.map((row) => row.details);
}

describe('API key lifetime', () => {
  it('a key without a stated lifetime expires in 90 days; more than the maximum is refused', async () => {
    const response = await create(admin, {});
    expect(response.statusCode).toBe(201);
    const created = response.json<Created>();
    expect(created.expires_at).not.toBeNull();
    expect(Math.abs(Date.parse(created.expires_at!) - (Date.now() + 90 * DAY_MS))).toBeLessThan(60_000);

    const tooLong = await create(admin, { expires_in_days: MAX_DAYS + 1 });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ error: { code: 'validation_failed' } });
    expect(tooLong.body).toContain(String(MAX_DAYS));
    expect((await create(admin, { expires_in_days: MAX_DAYS })).statusCode).toBe(201);
  });

  it('an expired key answers 401', async () => {
    const created = (await create(admin, { expires_in_days: 1 })).json<Created>();
    expect(await useKey(created.key)).toBe(200);
    await harness.app.db
      .updateTable('api_keys')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', created.id)
      .execute();
    expect(await useKey(created.key)).toBe(401);
  });

  it('rotation gives a new secret, the old one stops working, and it is audited', async () => {
    const created = (await create(admin, { expires_in_days: 10 })).json<Created>();
    const rotated = await harness.app.inject({
      method: 'POST',
      url: `/api/v1/api-keys/${created.id}/rotate`,
      headers: bearer(admin.access_token),
      payload: {},
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    const fresh = rotated.json<Created>();
    expect(fresh.id).toBe(created.id);
    expect(fresh.key).not.toBe(created.key);
    expect(Math.abs(Date.parse(fresh.expires_at!) - (Date.now() + 90 * DAY_MS))).toBeLessThan(60_000);
    expect(await useKey(created.key)).toBe(401);
    expect(await useKey(fresh.key)).toBe(200);
    expect(await auditTypes(`api-key/${created.id}`)).toEqual(['api_key_create', 'api_key_rotate']);
    // The secret never reaches the audit log. It is everything after `fk_<id>_`: base64url,
    // so it may hold `_` itself (splitting on `_` once gave a one-letter piece, "T", that
    // every ISO time in the details contains).
    const secret = fresh.key.slice(`fk_${fresh.id}_`.length);
    expect(secret).toHaveLength(43);
    const details = await auditDetails('api_key_rotate');
    expect(JSON.stringify(details)).not.toContain(secret);

    const unknown = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys/0123456789abcdef/rotate',
      headers: bearer(admin.access_token),
      payload: {},
    });
    expect(unknown.statusCode).toBe(404);
    // A key cannot rotate keys.
    const byKey = await harness.app.inject({
      method: 'POST',
      url: `/api/v1/api-keys/${created.id}/rotate`,
      headers: { 'x-api-key': fresh.key },
      payload: {},
    });
    expect(byKey.statusCode).toBe(403);
  });

  it('creating and rotating need a recent sign-in (401 reauth_required)', async () => {
    const user = await userWithRole(harness.app, admin, 'admin');
    const created = (await create(user, {})).json<Created>();
    await ageSession(user, 6);
    const refused = await create(user, {});
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: { code: 'reauth_required' } });
    const rotate = await harness.app.inject({
      method: 'POST',
      url: `/api/v1/api-keys/${created.id}/rotate`,
      headers: bearer(user.access_token),
      payload: {},
    });
    expect(rotate.statusCode).toBe(401);
    expect(rotate.json()).toMatchObject({ error: { code: 'reauth_required' } });
    expect(await useKey(created.key)).toBe(200);
  });

  it("an administrator's password reset and disabling revoke the owner's keys; the owner's own change keeps them", async () => {
    const owner = await userWithRole(harness.app, admin, 'admin');
    const kept = (await create(owner, {})).json<Created>();
    const changed = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: bearer(owner.access_token),
      payload: { current_password: owner.password, new_password: 'the owner chose this one' },
    });
    expect(changed.statusCode).toBe(204);
    expect(await useKey(kept.key)).toBe(200);

    const reset = await harness.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${owner.user.id}`,
      headers: bearer(admin.access_token),
      payload: { password: 'reset by the administrator' },
    });
    expect(reset.statusCode).toBe(200);
    expect(await useKey(kept.key)).toBe(401);
    expect(reset.json()).toBeDefined();
    const [entry] = await auditDetails('user_update', `user/${owner.user.id}`);
    expect(JSON.parse(entry!)).toMatchObject({ service_credentials_revoked: 1 });

    // Disabling revokes them too (re-enabling does not bring them back).
    const second = await userWithRole(harness.app, admin, 'admin');
    const other = (await create(second, {})).json<Created>();
    expect(await useKey(other.key)).toBe(200);
    for (const disabled of [true, false]) {
      const response = await harness.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${second.user.id}`,
        headers: bearer(admin.access_token),
        payload: { disabled },
      });
      expect(response.statusCode).toBe(200);
    }
    expect(await useKey(other.key)).toBe(401);
    const live = await harness.app.db
      .selectFrom('api_keys')
      .select('id')
      .where('id', '=', other.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toEqual([]);
  });
});
