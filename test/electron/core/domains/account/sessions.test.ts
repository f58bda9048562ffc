/**
 * The account's own sessions through the console core's IPC router, on a real Factory API:
 * the console's session and one signed in elsewhere are listed (the console's marked
 * current, no token in the answer); revoking the other ends it (its refresh token is
 * refused) and leaves the console signed in (docs/IDENTITY.md).
 */
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionState, SessionSummary } from '../../../../../shared/common/contract/bridge.ts';
import type { Result } from '../../../../../shared/common/contract/result.ts';
import { startCore, type CoreFixture } from '../../core-fixture.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  listenOnLoopback,
  login,
  startTestApp,
  tempDir,
  userWithRole,
  type TestApp,
} from '../../../../server/helpers.ts';

let test: TestApp;
let home: string;
let fixture: CoreFixture;
const sender = { transport: 'http' as const, url: 'http://127.0.0.1/' };
let user: { email: string; password: string };
/** The session `userWithRole` signed in with: the one "elsewhere". */
let elsewhere: { refresh_token: string };

async function call<T>(channel: string, ...args: unknown[]): Promise<Result<T>> {
  return (await fixture.core.router.handle(channel, args, sender)) as Result<T>;
}
async function value<T>(channel: string, ...args: unknown[]): Promise<T> {
  const result = await call<T>(channel, ...args);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

beforeAll(async () => {
  test = await startTestApp();
  const url = await listenOnLoopback(test.app);
  home = await tempDir('account-sessions-');
  fixture = await startCore({ serverUrl: url, home });
  const admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
  const created = await userWithRole(test.app, admin, 'viewer');
  user = { email: created.user.email, password: created.password };
  elsewhere = created;
});
afterAll(async () => {
  await fixture.close();
  await test.close();
  await fs.rm(home, { recursive: true, force: true });
});

describe('own sessions through the console core', () => {
  it('lists the console session and another, revokes the other, and the console stays signed in', async () => {
    const signedIn = await value<SessionState>('session.login', {
      email: user.email,
      password: user.password,
    });
    expect(signedIn.signedIn).toBe(true);

    const listed = await call<SessionSummary[]>('account.sessions');
    if (!listed.ok) throw new Error(listed.error.message);
    expect(listed.value).toHaveLength(2);
    expect(JSON.stringify(listed.value)).not.toContain(elsewhere.refresh_token);
    const current = listed.value.filter((session) => session.current);
    expect(current).toHaveLength(1);
    const other = listed.value.find((session) => !session.current)!;
    expect(other).toMatchObject({ via: expect.any(String), createdAt: expect.any(String) });

    expect(await value('account.revokeSession', { id: other.id })).toEqual({ revoked: true });
    const after = await value<SessionSummary[]>('account.sessions');
    expect(after.map((session) => session.id)).toEqual([current[0]!.id]);
    const refreshed = await test.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refresh_token: elsewhere.refresh_token },
    });
    expect(refreshed.statusCode).toBe(401);

    const again = await call('account.revokeSession', { id: other.id });
    expect(again).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const malformed = await call('account.revokeSession', { id: 'not-a-uuid' });
    expect(malformed.ok).toBe(false);
    expect((await value<SessionState>('session.getState')).signedIn).toBe(true);
  });
});
