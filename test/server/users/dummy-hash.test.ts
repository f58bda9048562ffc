/**
 * Sign-in for an unknown account spends the same password-hashing work as a wrong
 * password for a real one at any configured cost (FACTORY_SCRYPT_LOG2N), so timing does
 * not tell which accounts exist. Measured in CPU time (scrypt runs on the thread pool,
 * which the process's CPU time includes), not wall time, so a loaded machine does not
 * blur it (docs/SECURITY.md §Threat model and tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, DEV_PASSWORD, bearer, login, startTestApp, type TestApp } from '../helpers.ts';

let harness: TestApp;
const KNOWN = 'known-account@example.test';

beforeAll(async () => {
  harness = await startTestApp({ scryptLog2N: 16 });
  const admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
  const created = await harness.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: bearer(admin.access_token),
    payload: { email: KNOWN, password: 'the real password 1', role: 'viewer' },
  });
  expect(created.statusCode).toBe(201);
}, 60_000);
afterAll(async () => harness.close());

async function cpuMsOfFailedSignIn(email: string, attempt: number): Promise<number> {
  const before = process.cpuUsage();
  const response = await harness.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: `192.0.2.${attempt + 1}`,
    payload: { email, password: `wrong password ${attempt}` },
  });
  const spent = process.cpuUsage(before);
  expect(response.statusCode).toBe(401);
  return (spent.user + spent.system) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('the dummy hash follows the configured cost', () => {
  it('an unknown account costs what a wrong password costs', { timeout: 60_000 }, async () => {
    const known: number[] = [];
    const unknown: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      known.push(await cpuMsOfFailedSignIn(KNOWN, attempt));
      unknown.push(await cpuMsOfFailedSignIn(`nobody-${attempt}@example.test`, attempt));
    }
    const ratio = median(unknown) / median(known);
    expect(ratio, `known ${known.join(', ')} ms; unknown ${unknown.join(', ')} ms`).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.33);
  });
});
