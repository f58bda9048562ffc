/**
 * Change-password is a password check like sign-in: a stolen session cannot use it as
 * an unthrottled oracle. Wrong current passwords count towards the same lock-out as
 * sign-in failures, each is audited, the lock also refuses the right password, and the
 * route spends the `heavy` rate-limit tier.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_THRESHOLD } from '../../../server/auth/login-throttle.ts';
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
let admin: Session;

beforeAll(async () => {
  harness = await startTestApp();
  admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
});
afterAll(async () => harness.close());

const change = (session: Session, current: string, remoteAddress = '127.0.0.1') =>
  harness.app.inject({
    method: 'POST',
    url: '/api/v1/auth/change-password',
    remoteAddress,
    headers: bearer(session.access_token),
    payload: { current_password: current, new_password: 'a brand new password 1' },
  });

describe('change-password', () => {
  it('locks the account like sign-in, audits each failure, and then refuses even the right password', async () => {
    const user = await userWithRole(harness.app, admin, 'operator');
    for (let index = 1; index < ACCOUNT_THRESHOLD; index += 1) {
      expect((await change(user, `guess number ${index}`)).statusCode).toBe(401);
    }
    const locking = await change(user, 'the last guess');
    expect(locking.statusCode).toBe(429);
    expect(locking.json()).toMatchObject({ error: { code: 'account_locked' } });
    const refused = await change(user, user.password);
    expect(refused.statusCode).toBe(429);
    // Sign-in is locked by the same counter.
    const signIn = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.user.email, password: user.password },
    });
    expect(signIn.statusCode).toBe(429);
    const rows = await sql<{
      type: string;
    }>`select type from audit_entries where actor = ${user.user.email} order by seq`.execute(harness.app.db);
    const types = rows.rows.map((row) => row.type);
    expect(types.filter((type) => type === 'login_failure')).toHaveLength(ACCOUNT_THRESHOLD);
    expect(types).toContain('lockout');
  });

  it('is in the heavy rate-limit tier', async () => {
    const user = await userWithRole(harness.app, admin, 'operator');
    const limited = { capacity: 2, refill_per_s: 0.001 };
    const generous = { capacity: 100_000, refill_per_s: 100_000 };
    const set = await harness.app.inject({
      method: 'PUT',
      url: '/api/v1/firewall/limits',
      headers: bearer(admin.access_token),
      payload: { public: generous, authenticated: generous, heavy: limited },
    });
    expect(set.statusCode).toBe(200);
    const statuses: number[] = [];
    for (let index = 0; index < 4; index += 1)
      statuses.push((await change(user, 'x', '192.0.2.77')).statusCode);
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses.slice(2)).toEqual([429, 429]);
  });
});
