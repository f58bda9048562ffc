/**
 * Access to the live audit tail is not only checked at connect: signing out, disabling
 * the account, changing its role or revoking the API key ends an open stream at once.
 * And one credential holds a bounded number of tails (docs/SECURITY.md §Threat model and tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAMS_PER_CREDENTIAL } from '../../../server/audit/audit-streams.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  bearer,
  listenOnLoopback,
  login,
  startTestApp,
  userWithRole,
  type Session,
  type TestApp,
} from '../helpers.ts';

let harness: TestApp;
let admin: Session;
let base = '';

beforeAll(async () => {
  harness = await startTestApp();
  admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
  base = await listenOnLoopback(harness.app);
});
afterAll(async () => harness.close());

/** Opens a tail; `ended()` resolves true when the server ends it within `ms`, false otherwise. */
async function openTail(headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/v1/audit/stream`, { headers, signal: controller.signal });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  await reader.read(); // ": connected"
  const drained = (async () => {
    try {
      for (;;) if ((await reader.read()).done) return true;
    } catch {
      return true;
    }
  })();
  return {
    async ended(ms = 3000): Promise<boolean> {
      const result = await Promise.race([
        drained,
        new Promise<false>((resolve) => setTimeout(() => resolve(false), ms)),
      ]);
      controller.abort();
      return result;
    },
  };
}

const adminCall = (method: 'PATCH' | 'DELETE', url: string, payload?: object) =>
  harness.app.inject({ method, url, headers: bearer(admin.access_token), ...(payload ? { payload } : {}) });

describe('open audit tails follow the credential', () => {
  it('ends on sign-out', async () => {
    const auditor = await userWithRole(harness.app, admin, 'auditor');
    const tail = await openTail(bearer(auditor.access_token));
    const out = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(auditor.access_token),
      payload: {},
    });
    expect(out.statusCode).toBe(204);
    expect(await tail.ended()).toBe(true);
  });

  it('ends when the account is disabled', async () => {
    const auditor = await userWithRole(harness.app, admin, 'auditor');
    const tail = await openTail(bearer(auditor.access_token));
    expect(
      (await adminCall('PATCH', `/api/v1/users/${auditor.user.id}`, { disabled: true })).statusCode,
    ).toBe(200);
    expect(await tail.ended()).toBe(true);
  });

  it('ends when the role changes', async () => {
    const auditor = await userWithRole(harness.app, admin, 'auditor');
    const tail = await openTail(bearer(auditor.access_token));
    expect(
      (await adminCall('PATCH', `/api/v1/users/${auditor.user.id}`, { role: 'viewer' })).statusCode,
    ).toBe(200);
    expect(await tail.ended()).toBe(true);
  });

  it('ends when its API key is revoked, and another credential keeps its tail', async () => {
    const created = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(admin.access_token),
      payload: { name: 'tail', scopes: ['audit:read'] },
    });
    const { id, key } = created.json() as { id: string; key: string };
    const keyTail = await openTail({ 'x-api-key': key });
    const adminTail = await openTail(bearer(admin.access_token));
    expect((await adminCall('DELETE', `/api/v1/api-keys/${id}`)).statusCode).toBe(204);
    expect(await keyTail.ended()).toBe(true);
    expect(await adminTail.ended(500)).toBe(false);
  });

  it(`holds at most ${STREAMS_PER_CREDENTIAL} tails per credential (then 429)`, async () => {
    const auditor = await userWithRole(harness.app, admin, 'auditor');
    const tails = [];
    for (let index = 0; index < STREAMS_PER_CREDENTIAL; index += 1)
      tails.push(await openTail(bearer(auditor.access_token)));
    const refused = await fetch(`${base}/api/v1/audit/stream`, { headers: bearer(auditor.access_token) });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    await tails[0]!.ended(10);
    // A closed tail gives its slot back.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await openTail(bearer(auditor.access_token));
    for (const tail of [...tails.slice(1), again]) await tail.ended(10);
  });
});
