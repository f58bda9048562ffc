/**
 * The per-address sign-in lock-out counts an IPv6 client by its /64, as the rate limits
 * do: one host owns a whole /64 and can rotate through it, so twenty failures spread
 * over twenty addresses of one /64 lock that /64 (docs/SECURITY.md §Threat model and tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS_THRESHOLD, LoginThrottle } from '../../../server/auth/login-throttle.ts';
import { startTestApp, type TestApp } from '../helpers.ts';

let harness: TestApp;

beforeAll(async () => {
  harness = await startTestApp();
});
afterAll(async () => harness.close());

describe('IPv6 sign-in lock-out', () => {
  it('locks the /64 after failures from many addresses in it, and not another /64', async () => {
    const throttle = new LoginThrottle(harness.app.db);
    const now = Date.parse('2031-01-01T00:00:00.000Z');
    for (let index = 0; index < ADDRESS_THRESHOLD; index += 1) {
      // A different account each time: only the address counter can lock.
      await throttle.recordFailure(
        `user${index}@example.test`,
        `2001:db8:1:2::${(index + 1).toString(16)}`,
        now,
      );
    }
    expect((await throttle.check('someone@example.test', '2001:db8:1:2:ffff::9', now)).locked).toBe(true);
    expect((await throttle.check('someone@example.test', '2001:db8:1:3::1', now)).locked).toBe(false);
    // IPv4 stays per address.
    expect((await throttle.check('someone@example.test', '192.0.2.1', now)).locked).toBe(false);
  });
});
