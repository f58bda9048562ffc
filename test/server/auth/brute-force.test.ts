/**
 * Brute-force lock-out: failures are counted in the database per account and per
 * address, survive a restart, grow the back-off, and never lock longer than the cap.
 */
import fs from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_THRESHOLD, LoginThrottle, MAX_LOCK_S } from '../../../server/auth/login-throttle.ts';
import { ADMIN_EMAIL, DEV_PASSWORD, startTestApp, tempDir } from '../helpers.ts';

async function attempt(app: FastifyInstance, password: string) {
  return app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: ADMIN_EMAIL, password } });
}

describe('brute-force lock-out', () => {
  it('locks the account after the threshold, and the lock survives a restart', async () => {
    const dataDir = await tempDir();
    try {
      const first = await startTestApp({}, { dataDir });
      for (let index = 1; index < ACCOUNT_THRESHOLD; index += 1) {
        expect((await attempt(first.app, `wrong guess ${index}`)).statusCode).toBe(401);
      }
      const locking = await attempt(first.app, 'wrong guess last');
      expect(locking.statusCode).toBe(429);
      expect(locking.json()).toMatchObject({ error: { code: 'account_locked' } });
      expect(first.app.metrics.loginFailures.value()).toBe(ACCOUNT_THRESHOLD);
      await first.close();

      const second = await startTestApp({}, { dataDir });
      // Even the right password is refused while locked, without being checked.
      const refused = await attempt(second.app, DEV_PASSWORD);
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect((await attempt(second.app, 'another guess')).statusCode).toBe(429);
      // Attempts while locked are not counted, so they cannot extend the lock.
      const row = await second.app.db
        .selectFrom('login_failures')
        .select('failures')
        .where('key', '=', `account:${ADMIN_EMAIL}`)
        .executeTakeFirstOrThrow();
      expect(row.failures).toBe(ACCOUNT_THRESHOLD);
      await second.close();
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('grows the back-off, caps it, does not extend it while locked, and clears on success', async () => {
    const harness = await startTestApp();
    try {
      const throttle = new LoginThrottle(harness.app.db);
      let now = Date.parse('2030-01-01T00:00:00.000Z');
      const locks: number[] = [];
      for (let failure = 1; failure <= ACCOUNT_THRESHOLD + 12; failure += 1) {
        const state = await throttle.recordFailure('victim@example.test', `10.0.0.${failure}`, now);
        locks.push(state.retryAfterS);
        now += (state.retryAfterS + 1) * 1000;
      }
      expect(locks.slice(0, ACCOUNT_THRESHOLD - 1)).toEqual([0, 0, 0, 0]);
      expect(locks.slice(ACCOUNT_THRESHOLD - 1, ACCOUNT_THRESHOLD + 3)).toEqual([1, 2, 4, 8]);
      expect(Math.max(...locks)).toBe(MAX_LOCK_S);
      // The last lock has run out by `now`.
      const expired = await throttle.check('victim@example.test', '10.9.9.9', now - 1000);
      expect(expired.locked).toBe(false);
      const fresh = await throttle.recordFailure('victim@example.test', '10.9.9.9', now);
      expect(fresh.retryAfterS).toBe(MAX_LOCK_S);
      const during = await throttle.check('victim@example.test', '10.9.9.9', now + 60_000);
      expect(during.retryAfterS).toBe(MAX_LOCK_S - 60);
      await throttle.recordSuccess('victim@example.test');
      expect((await throttle.check('victim@example.test', '10.9.9.8', now + 60_000)).locked).toBe(false);
    } finally {
      await harness.close();
    }
  });

  it('counts per address too: many accounts from one address lock the address', async () => {
    const harness = await startTestApp();
    try {
      const throttle = new LoginThrottle(harness.app.db);
      const now = Date.parse('2030-01-01T00:00:00.000Z');
      let state = { locked: false, retryAfterS: 0 };
      for (let index = 0; index < 20; index += 1) {
        state = await throttle.recordFailure(`user${index}@example.test`, '192.0.2.7', now);
      }
      expect(state.locked).toBe(true);
      expect((await throttle.check('someone-else@example.test', '192.0.2.7', now)).locked).toBe(true);
      expect((await throttle.check('someone-else@example.test', '192.0.2.8', now)).locked).toBe(false);
    } finally {
      await harness.close();
    }
  });
});
