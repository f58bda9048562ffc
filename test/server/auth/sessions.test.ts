/**
 * The signed-in account's own sessions: `GET /api/v1/auth/sessions` lists the live ones
 * (the calling one marked `current`, no token or hash), `DELETE /api/v1/auth/sessions/:id`
 * ends one of them with a `session_revoke` audit entry; someone else's session is 404
 * (docs/SERVER.md, docs/IDENTITY.md).
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
  type TestApp,
} from '../helpers.ts';

let harness: TestApp;
beforeAll(async () => {
  harness = await startTestApp();
});
afterAll(async () => harness.close());

type Listed = { sessions: { id: string; current: boolean; last_used_at: string; expires_at: string }[] };

async function list(token: string) {
  return harness.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: bearer(token) });
}

describe('own sessions', () => {
  it('lists the live sessions with the current one marked, and never a token', async () => {
    const first = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    const second = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    const response = await list(second.access_token);
    expect(response.statusCode).toBe(200);
    const body = response.json<Listed>();
    expect(body.sessions.length).toBeGreaterThanOrEqual(2);
    expect(body.sessions.filter((session) => session.current)).toHaveLength(1);
    expect(response.body).not.toContain(first.refresh_token);
    expect(response.body).not.toContain(second.refresh_token);
    expect(response.body).not.toMatch(/token|hash/);
  });

  it('revokes one of its own sessions (audited); that session stops refreshing', async () => {
    const other = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    const me = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    const before = (await list(me.access_token)).json<Listed>().sessions;
    // The other session's id: the one the other session itself sees as current.
    const otherOwn = (await list(other.access_token)).json<Listed>().sessions.find((s) => s.current)!.id;
    expect(before.map((s) => s.id)).toContain(otherOwn);

    const revoked = await harness.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${otherOwn}`,
      headers: bearer(me.access_token),
    });
    expect(revoked.statusCode).toBe(204);
    const after = (await list(me.access_token)).json<Listed>().sessions;
    expect(after.map((s) => s.id)).not.toContain(otherOwn);
    const refresh = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: other.refresh_token },
    });
    expect(refresh.statusCode).toBe(401);
    const entries = (
      await sql<{
        actor: string | null;
        resource: string | null;
      }>`select actor, resource from audit_entries where type = 'session_revoke'`.execute(harness.app.db)
    ).rows;
    expect(entries).toContainEqual({ actor: ADMIN_EMAIL, resource: `session/${otherOwn}` });

    // Already ended: not found.
    const again = await harness.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${otherOwn}`,
      headers: bearer(me.access_token),
    });
    expect(again.statusCode).toBe(404);
  });

  it("answers 404 for someone else's session and leaves it alive", async () => {
    const admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    const user = await userWithRole(harness.app, admin, 'viewer');
    const adminId = (await list(admin.access_token)).json<Listed>().sessions.find((s) => s.current)!.id;
    const response = await harness.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${adminId}`,
      headers: bearer(user.access_token),
    });
    expect(response.statusCode).toBe(404);
    expect((await list(user.access_token)).json<Listed>().sessions.map((s) => s.id)).not.toContain(adminId);
    expect((await list(admin.access_token)).json<Listed>().sessions.map((s) => s.id)).toContain(adminId);
  });
});

describe('the live-session lookup cache', () => {
  it('applies a revocation on the next request, also when a lookup was under way as it happened', async () => {
    const me = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    // The request authenticates (and caches its session), so the revocation below has something to forget.
    const sessionId = (await list(me.access_token)).json<Listed>().sessions.find((s) => s.current)!.id;
    const userId = me.user.id;
    const sessions = harness.app.services.sessions;
    // A lookup as of a moment past the cached entry's lifetime: it goes to the database.
    const later = Date.now() + 10_000;
    const pending = sessions.liveSessionUser(sessionId, userId, later);
    expect(pending).toBeInstanceOf(Promise);
    await sessions.revoke(sessionId, 'test_revocation');
    await pending;
    // Whatever that lookup read, it must not be what the next request finds.
    expect(await sessions.liveSessionUser(sessionId, userId, later)).toBeUndefined();
    const after = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(me.access_token),
    });
    expect(after.statusCode).toBe(401);
  });

  it('answers a cached lookup without a promise, and forgets it when the session is revoked', async () => {
    const me = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    const sessionId = (await list(me.access_token)).json<Listed>().sessions.find((s) => s.current)!.id;
    const sessions = harness.app.services.sessions;
    const cached = sessions.liveSessionUser(sessionId, me.user.id);
    expect(cached).not.toBeInstanceOf(Promise);
    expect(cached).toMatchObject({ id: me.user.id, email: ADMIN_EMAIL });
    const revoked = await harness.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${sessionId}`,
      headers: bearer(me.access_token),
    });
    expect(revoked.statusCode).toBe(204);
    const after = sessions.liveSessionUser(sessionId, me.user.id);
    expect(after).toBeInstanceOf(Promise);
    expect(await after).toBeUndefined();
    expect((await list(me.access_token)).statusCode).toBe(401);
  });
});
