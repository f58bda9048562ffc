/**
 * Second factors through the console core's IPC router, on a real Factory API: an
 * account enrols TOTP (the secret and recovery codes come back once), signs out, signs in
 * with its password (a pending sign-in: no token, the methods), is refused a wrong code and
 * stays pending, signs in with a computed code; a stale session's firewall change answers
 * reauth_required without a refresh-and-retry, a recovery code steps up, and the change
 * then goes through. The router's log lines never hold a code, a secret or a token.
 */
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../../../../server/auth/mfa/totp.ts';
import type {
  AccountOverview,
  RecoveryCodes,
  SessionState,
  TotpEnrolment,
} from '../../../../../shared/common/contract/bridge.ts';
import type { Result } from '../../../../../shared/common/contract/result.ts';
import type { CallRecord } from '../../../../../electron/core/ipc/router.ts';
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
const log: CallRecord[] = [];
const sender = { transport: 'http' as const, url: 'http://127.0.0.1/' };
let user: { email: string; password: string; id: string };
let adminToken = '';

async function auditCount(type: string): Promise<number> {
  const response = await test.app.inject({
    method: 'GET',
    url: `/api/v1/audit?type=${type}&limit=1000`,
    headers: { authorization: `Bearer ${adminToken}` },
  });
  return (response.json() as { entries: unknown[] }).entries.length;
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
  home = await tempDir('second-factor-');
  fixture = await startCore({ serverUrl: url, home, log: (record) => log.push(record) });
  const admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
  adminToken = admin.access_token;
  const created = await userWithRole(test.app, admin, 'admin');
  user = { email: created.user.email, password: created.password, id: created.user.id };
});
afterAll(async () => {
  await fixture.close();
  await test.close();
  await fs.rm(home, { recursive: true, force: true });
});

describe('second factors through the console core', () => {
  let secret = '';
  let recovery: string[] = [];

  it('enrols TOTP: the secret once, then a code confirms it and answers ten recovery codes', async () => {
    await value<SessionState>('session.login', { email: user.email, password: user.password });
    const enrolment = await value<TotpEnrolment>('account.startTotp');
    expect(enrolment.secret).toMatch(/^[A-Z2-7]+=*$/);
    expect(enrolment.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    secret = enrolment.secret;
    const wrong = await call('account.confirmTotp', { code: '000000' });
    expect(wrong.ok).toBe(false);
    recovery = (await value<RecoveryCodes>('account.confirmTotp', { code: totpCode(secret) })).recoveryCodes;
    expect(recovery).toHaveLength(10);
    const overview = await value<AccountOverview>('account.overview');
    expect(overview).toMatchObject({ email: user.email, totp: true, recoveryCodesLeft: 10 });
    expect(overview.stepUpMethods).toEqual(['totp', 'recovery']);
  });

  it('signs in in two steps: the pending state names the methods and carries no token', async () => {
    await value('session.logout');
    const pending = await value<SessionState>('session.login', {
      email: user.email,
      password: user.password,
    });
    expect(pending.signedIn).toBe(false);
    expect(pending.secondFactor).toEqual({ methods: ['totp', 'recovery'] });
    expect(JSON.stringify(pending)).not.toMatch(/token/i);

    const refused = await call('session.verifyFactor', { method: 'totp', code: '000000' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect((await value<SessionState>('session.getState')).secondFactor).toBeDefined();

    // The enrolment spent this step's code: the next step's is within the ±1 step of skew.
    const state = await value<SessionState>('session.verifyFactor', {
      method: 'totp',
      code: totpCode(secret, Date.now() + 30_000),
    });
    expect(state).toMatchObject({ signedIn: true, email: user.email });
    expect(state.secondFactor).toBeUndefined();
  });

  it('a stale session is asked to step up (no refresh-and-retry), a recovery code steps up, the change goes through', async () => {
    await test.app.db
      .updateTable('sessions')
      .set({ auth_at: new Date(Date.now() - 10 * 60_000).toISOString() })
      .where('user_id', '=', user.id)
      .execute();
    test.app.services.sessions.forgetUser(user.id);
    const rule = { cidr: '198.51.100.0/24', action: 'deny', note: 'step-up test' };
    const tokensBefore = await refreshTokensOf(user.id);
    const stale = await call('firewall.addRule', rule);
    expect(stale).toMatchObject({ ok: false, error: { code: 'reauth_required' } });
    // reauth_required is not an expired token: no refresh was spent on it.
    expect(await refreshTokensOf(user.id)).toBe(tokensBefore);
    expect(await value('account.stepUpMethods')).toEqual(['totp', 'recovery']);

    // A refused code is sent once (counted once towards the lock-out), not retried after a refresh.
    const failuresBefore = await auditCount('mfa_failure');
    expect(await call('account.reauth', { method: 'totp', code: '000000' })).toMatchObject({
      ok: false,
      error: { code: 'unauthenticated' },
    });
    expect(await auditCount('mfa_failure')).toBe(failuresBefore + 1);

    const password = await call('account.reauth', { password: user.password });
    expect(password.ok).toBe(false); // with a factor, the password alone does not step up
    const stepped = await value<{ validUntil: string }>('account.reauth', {
      method: 'recovery',
      code: recovery[0]!,
    });
    expect(Date.parse(stepped.validUntil)).toBeGreaterThan(Date.now());
    expect(await call('firewall.addRule', rule)).toMatchObject({ ok: true });
    // Spent: a recovery code works once.
    expect((await call('account.reauth', { method: 'recovery', code: recovery[0]! })).ok).toBe(false);
  });

  it('turns TOTP off with a recovery code; the next sign-in is one step again', async () => {
    await value('account.disableTotp', { code: recovery[1]! });
    await value('session.logout');
    const state = await value<SessionState>('session.login', { email: user.email, password: user.password });
    expect(state.signedIn).toBe(true);
    expect(state.secondFactor).toBeUndefined();
  });

  it('forgets a pending sign-in after the mfa_token’s lifetime, and says to sign in again', async () => {
    // Re-enrol (TOTP was turned off above) through the API, then a console with a movable clock.
    const session = await login(test.app, user.email, user.password);
    const auth = { authorization: `Bearer ${session.access_token}` };
    const started = await test.app.inject({ method: 'POST', url: '/api/v1/auth/mfa/totp', headers: auth });
    const again = (started.json() as { secret: string }).secret;
    const confirmed = await test.app.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/totp/confirm',
      headers: auth,
      payload: { code: totpCode(again) },
    });
    expect(confirmed.statusCode).toBe(200);
    let clock = Date.now();
    const clocked = await startCore({
      serverUrl: fixture.core.connection.info.serverUrl,
      home: await tempDir('second-factor-clock-'),
      now: () => clock,
    });
    try {
      const handle = (channel: string, ...args: unknown[]) =>
        clocked.core.router.handle(channel, args, sender) as Promise<Result<SessionState>>;
      const pending = await handle('session.login', { email: user.email, password: user.password });
      expect(pending).toMatchObject({ ok: true, value: { secondFactor: { methods: ['totp', 'recovery'] } } });
      clock += 5 * 60_000;
      const later = await handle('session.getState');
      expect(later.ok && later.value.secondFactor).toBeFalsy();
      expect(
        await handle('session.verifyFactor', { method: 'totp', code: totpCode(again, Date.now() + 30_000) }),
      ).toMatchObject({ ok: false, error: { code: 'unauthenticated', message: /sign in again/ } });
    } finally {
      await clocked.close();
      await fs.rm(clocked.home, { recursive: true, force: true });
    }
  });

  it('logs channels and outcomes only: no code, secret or recovery code in a log line', () => {
    const lines = JSON.stringify(log);
    expect(lines).toContain('account.confirmTotp');
    for (const secretText of [secret, ...recovery, user.password]) expect(lines).not.toContain(secretText);
  });
});
