/**
 * `session.*` over the real core and a real Factory API, with the console's clock
 * moved past the access token's 15 minutes: the session is renewed with the rotating
 * refresh token (still signed in, the server's token family rotated), and once the
 * server refuses the renewal (the account was disabled) the UI is told it is signed
 * out — "signed in" never outlives the session.
 */
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionState } from '../../../../../shared/common/contract/bridge.ts';
import { startCore, type CoreFixture } from '../../core-fixture.ts';
import {
  ADMIN_EMAIL,
  bearer,
  DEV_PASSWORD,
  listenOnLoopback,
  login,
  startTestApp,
  tempDir,
  userWithRole,
  type TestApp,
} from '../../../../server/helpers.ts';

const MINUTE = 60_000;
let test: TestApp;
let url: string;
let home: string;
let fixture: CoreFixture;
let clock = Date.now();

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function refreshTokensOf(userId: string): Promise<number> {
  const rows = await test.app.db
    .selectFrom('refresh_tokens')
    .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
    .select('refresh_tokens.session_id')
    .where('sessions.user_id', '=', userId)
    .execute();
  return rows.length;
}

beforeAll(async () => {
  test = await startTestApp();
  url = await listenOnLoopback(test.app);
  home = await tempDir('session-service-');
  fixture = await startCore({ serverUrl: url, home, now: () => clock, sessionCheckMs: 25 });
});
afterAll(async () => {
  await fixture.close();
  await test.close();
  await fs.rm(home, { recursive: true, force: true });
});

describe('session', () => {
  it('renews the token before it expires, and says signed out when the server ends the session', async () => {
    const admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
    const operator = await userWithRole(test.app, admin, 'operator');
    const signedIn = await fixture.services.session.login({
      email: operator.user.email,
      password: operator.password,
    });
    expect(signedIn).toMatchObject({ signedIn: true, email: operator.user.email, role: 'operator' });
    const tokensAtSignIn = await refreshTokensOf(operator.user.id);
    const pushesAtSignIn = fixture.pushed.length;
    const signedOutPushes = () =>
      fixture.pushed
        .slice(pushesAtSignIn)
        .filter((push) => push.channel === 'session.onChange' && !(push.payload as SessionState).signedIn);

    // 16 minutes later by the console's clock: the periodic check renews the token.
    clock += 16 * MINUTE;
    await until(async () => (await refreshTokensOf(operator.user.id)) > tokensAtSignIn, 'a refresh');
    expect(await fixture.services.session.getState()).toMatchObject({ signedIn: true, role: 'operator' });
    expect(signedOutPushes()).toEqual([]);
    // And the renewed token works on the server.
    expect(await fixture.services.resources.list()).toEqual([]);

    // The administrator disables the account: the next renewal is refused.
    const disabled = await test.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${operator.user.id}`,
      headers: bearer(admin.access_token),
      payload: { disabled: true },
    });
    expect(disabled.statusCode).toBe(200);
    clock += 16 * MINUTE;
    await until(() => signedOutPushes().length > 0, 'the signed-out push');
    expect(await fixture.services.session.getState()).toEqual({
      signedIn: false,
      email: null,
      role: null,
      serverUrl: url,
    });
  });
});
