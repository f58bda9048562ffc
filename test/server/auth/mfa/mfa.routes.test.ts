/**
 * Second factors through the HTTP API of a real app: TOTP enrolment, the two-step
 * sign-in, replay and skew, the mfa_token's binding and single use, the shared
 * lock-out, recovery codes, removal, the enrol-only policy and step-up. The audit log
 * is read back to check every step is recorded and no code or secret is in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../../../server/auth/mfa/totp.ts';
import { mfaRefusals } from '../../../../server/auth/mfa/mfa-policy.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  bearer,
  login,
  startTestApp,
  userWithRole,
  type Session,
  type TestApp,
} from '../../helpers.ts';

let harness: TestApp;
let admin: Session;

beforeAll(async () => {
  harness = await startTestApp();
  admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
});
afterAll(async () => harness.close());

const UA = { 'user-agent': 'mfa-test/1' };

async function post(url: string, payload: unknown, headers: Record<string, string> = {}) {
  const response = await harness.app.inject({
    method: 'POST',
    url,
    payload: payload as object,
    headers: { ...UA, ...headers },
  });
  return {
    status: response.statusCode,
    body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {},
  };
}

async function passwordStep(email: string, password: string, headers: Record<string, string> = {}) {
  return post('/api/v1/auth/login', { email, password }, headers);
}

/** Enrols TOTP for a session; returns the secret and recovery codes. */
async function enrolTotp(session: Session): Promise<{ secret: string; codes: string[] }> {
  const started = await post('/api/v1/auth/mfa/totp', {}, bearer(session.access_token));
  expect(started.status).toBe(200);
  const secret = started.body.secret as string;
  const confirmed = await post(
    '/api/v1/auth/mfa/totp/confirm',
    { code: totpCode(secret) },
    bearer(session.access_token),
  );
  expect(confirmed.status).toBe(200);
  return { secret, codes: confirmed.body.recovery_codes as string[] };
}

async function auditEntries(type: string): Promise<Array<Record<string, unknown>>> {
  const response = await harness.app.inject({
    method: 'GET',
    url: `/api/v1/audit?type=${type}&limit=1000`,
    headers: bearer(admin.access_token),
  });
  expect(response.statusCode).toBe(200);
  return (response.json() as { entries: Array<Record<string, unknown>> }).entries;
}

/** Moves a session's last proof of identity into the past (as time passing would). */
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

describe('TOTP enrolment and the two-step sign-in', () => {
  it('enrols with a code, then asks for the factor and gives no token before it', async () => {
    const operator = await userWithRole(harness.app, admin, 'operator');
    const started = await post('/api/v1/auth/mfa/totp', {}, bearer(operator.access_token));
    expect(started.status).toBe(200);
    const secret = started.body.secret as string;
    expect(String(started.body.otpauth_url)).toContain(`secret=${secret}`);
    expect(
      (await post('/api/v1/auth/mfa/totp/confirm', { code: '000000' }, bearer(operator.access_token))).status,
    ).toBe(400);
    const confirmed = await post(
      '/api/v1/auth/mfa/totp/confirm',
      { code: totpCode(secret) },
      bearer(operator.access_token),
    );
    expect(confirmed.status).toBe(200);
    const codes = confirmed.body.recovery_codes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    // Enrolled: a second enrolment is refused, and the factors say so without the secret.
    expect((await post('/api/v1/auth/mfa/totp', {}, bearer(operator.access_token))).status).toBe(409);
    const factors = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/auth/mfa',
      headers: bearer(operator.access_token),
    });
    expect(factors.json()).toMatchObject({ totp: true, recovery_codes_left: 10, passkeys: [] });
    expect(factors.body).not.toContain(secret);

    const first = await passwordStep(operator.user.email, operator.password);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ mfa_required: true, methods: ['totp', 'recovery'] });
    expect(first.body.access_token).toBeUndefined();
    const token = first.body.mfa_token as string;

    // Bound to the client: another user agent cannot use it.
    const elsewhere = await post(
      '/api/v1/auth/mfa/verify',
      { mfa_token: token, method: 'totp', code: totpCode(secret) },
      { 'user-agent': 'other/1' },
    );
    expect(elsewhere.status).toBe(401);

    const done = await post('/api/v1/auth/mfa/verify', {
      mfa_token: token,
      method: 'totp',
      code: totpCode(secret, Date.now() + 30_000),
    });
    expect(done.status).toBe(200);
    expect(done.body.user).toMatchObject({ email: operator.user.email });
    const me = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(done.body.access_token as string),
    });
    expect(me.statusCode).toBe(200);

    // Single use: the same token again is refused even with a fresh code.
    const again = await post('/api/v1/auth/mfa/verify', {
      mfa_token: token,
      method: 'totp',
      code: totpCode(secret, Date.now() + 30_000),
    });
    expect(again.status).toBe(401);

    // Replay: the step just used (and any earlier one) is refused in a new sign-in.
    const second = await passwordStep(operator.user.email, operator.password);
    for (const offset of [30_000, 0, -30_000]) {
      const replay = await post('/api/v1/auth/mfa/verify', {
        mfa_token: second.body.mfa_token,
        method: 'totp',
        code: totpCode(secret, Date.now() + offset),
      });
      expect(replay.status).toBe(401);
    }
    // A recovery code finishes it, once.
    const recovered = await post('/api/v1/auth/mfa/verify', {
      mfa_token: second.body.mfa_token,
      method: 'recovery',
      code: codes[0]!.toUpperCase(),
    });
    expect(recovered.status).toBe(200);
    const third = await passwordStep(operator.user.email, operator.password);
    expect(
      (
        await post('/api/v1/auth/mfa/verify', {
          mfa_token: third.body.mfa_token,
          method: 'recovery',
          code: codes[0],
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await post('/api/v1/auth/mfa/verify', {
          mfa_token: third.body.mfa_token,
          method: 'recovery',
          code: codes[1],
        })
      ).status,
    ).toBe(200);

    // The audit log has the challenge, the failures and the successes, and no secret or code.
    const failures = await auditEntries('mfa_failure');
    expect(failures.filter((entry) => entry.actor === operator.user.email).length).toBeGreaterThanOrEqual(4);
    const successes = (await auditEntries('login_success')).filter(
      (entry) => entry.actor === operator.user.email,
    );
    expect(successes.some((entry) => JSON.stringify(entry.details).includes('otp'))).toBe(true);
    expect((await auditEntries('mfa_enrol')).some((entry) => entry.actor === operator.user.email)).toBe(true);
    const exported = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/audit/export',
      headers: bearer(admin.access_token),
    });
    expect(exported.statusCode).toBe(200);
    expect(exported.body).not.toContain(secret);
    for (const code of codes) expect(exported.body).not.toContain(code);
    expect(exported.body).not.toContain(token);
  });

  it('a code one step ahead of the clock is accepted; two steps ahead is not', async () => {
    const viewer = await userWithRole(harness.app, admin, 'viewer');
    const { secret } = await enrolTotp(viewer);
    // Enrolment used the current step; a sign-in in the next step may use the code of step +1.
    const first = await passwordStep(viewer.user.email, viewer.password);
    const ahead = await post('/api/v1/auth/mfa/verify', {
      mfa_token: first.body.mfa_token,
      method: 'totp',
      code: totpCode(secret, Date.now() + 30_000),
    });
    expect(ahead.status).toBe(200);
    const second = await passwordStep(viewer.user.email, viewer.password);
    const farAhead = await post('/api/v1/auth/mfa/verify', {
      mfa_token: second.body.mfa_token,
      method: 'totp',
      code: totpCode(secret, Date.now() + 60_000),
    });
    expect(farAhead.status).toBe(401);
  });

  it('wrong factors count towards the password lock-out, and a right password does not reset it', async () => {
    const publisher = await userWithRole(harness.app, admin, 'publisher');
    const { secret } = await enrolTotp(publisher);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const step = await passwordStep(publisher.user.email, publisher.password);
      expect(step.status).toBe(200);
      statuses.push(
        (
          await post('/api/v1/auth/mfa/verify', {
            mfa_token: step.body.mfa_token,
            method: 'totp',
            code: '123456',
          })
        ).status,
      );
      statuses.push(
        (
          await post('/api/v1/auth/mfa/verify', {
            mfa_token: step.body.mfa_token,
            method: 'recovery',
            code: 'aaaa-bbbb-cccc-dddd',
          })
        ).status,
      );
      if (statuses.includes(429)) break;
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses).toContain(429);
    // The right code does not get past the lock either.
    expect(secret).toMatch(/^[A-Z2-7]+$/);
    // Locked: the password is not even checked, and a right code cannot finish a pending sign-in.
    expect((await passwordStep(publisher.user.email, publisher.password)).status).toBe(429);
    expect((await auditEntries('lockout')).some((entry) => entry.actor === publisher.user.email)).toBe(true);
  });

  it('TOTP is disabled with a code, and the account then signs in with the password alone', async () => {
    const auditor = await userWithRole(harness.app, admin, 'auditor');
    const { codes } = await enrolTotp(auditor);
    expect((await passwordStep(auditor.user.email, auditor.password)).body.mfa_required).toBe(true);
    const disable = (code: string) =>
      post('/api/v1/auth/mfa/totp/disable', { code }, bearer(auditor.access_token));
    expect((await disable('000000')).status).toBe(401);
    expect((await disable(codes[3]!)).status).toBe(204);
    const factors = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/auth/mfa',
      headers: bearer(auditor.access_token),
    });
    expect(factors.json()).toMatchObject({ totp: false, recovery_codes_left: 0 });
    const plain = await passwordStep(auditor.user.email, auditor.password);
    expect(plain.status).toBe(200);
    expect(plain.body.mfa_required).toBeUndefined();
    expect(typeof plain.body.access_token).toBe('string');
    expect((await auditEntries('mfa_remove')).some((entry) => entry.actor === auditor.user.email)).toBe(true);
  });
});

describe('enrol-only sessions and step-up', () => {
  it('a role that requires a factor signs in, may only enrol, and is fully signed in once enrolled', async () => {
    const strict = await startTestApp({
      identity: { mfaRequiredRoles: ['admin', 'super_admin'], webauthn: undefined, oidc: undefined },
    });
    try {
      const session = await login(strict.app, ADMIN_EMAIL, DEV_PASSWORD);
      const users = await strict.app.inject({
        method: 'GET',
        url: '/api/v1/users',
        headers: bearer(session.access_token),
      });
      expect(users.statusCode).toBe(403);
      expect(users.json()).toMatchObject({ error: { code: 'mfa_enrolment_required' } });
      const me = await strict.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me',
        headers: bearer(session.access_token),
      });
      expect(me.json()).toMatchObject({ mfa_enrolment_required: true });
      const started = await strict.app.inject({
        method: 'POST',
        url: '/api/v1/auth/mfa/totp',
        headers: bearer(session.access_token),
        payload: {},
      });
      const secret = started.json<{ secret: string }>().secret;
      const confirmed = await strict.app.inject({
        method: 'POST',
        url: '/api/v1/auth/mfa/totp/confirm',
        headers: bearer(session.access_token),
        payload: { code: totpCode(secret) },
      });
      expect(confirmed.statusCode).toBe(200);
      const after = await strict.app.inject({
        method: 'GET',
        url: '/api/v1/users',
        headers: bearer(session.access_token),
      });
      expect(after.statusCode).toBe(200);
      // The last factor of a role that requires one cannot be removed.
      const removal = await strict.app.inject({
        method: 'POST',
        url: '/api/v1/auth/mfa/totp/disable',
        headers: bearer(session.access_token),
        payload: { code: confirmed.json<{ recovery_codes: string[] }>().recovery_codes[0] },
      });
      expect(removal.statusCode).toBe(409);
      // FACTORY_PROD's guard: an admin without a factor is a refusal only when the policy does not force one.
      expect(await mfaRefusals(strict.app)).toEqual([]);
      strict.app.config.identity.mfaRequiredRoles.splice(0);
      const other = await userWithRole(strict.app, session, 'admin');
      const reasons = await mfaRefusals(strict.app);
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toContain(other.user.email);
      expect(reasons[0]).toContain('FACTORY_MFA_REQUIRED_ROLES');
    } finally {
      await strict.close();
    }
  });

  it('sensitive actions need a recent sign-in: reauth_required, then a factor (not the password) steps up', async () => {
    const user = await userWithRole(harness.app, admin, 'admin');
    const { secret } = await enrolTotp(user);
    const create = () =>
      harness.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: { ...bearer(user.access_token), ...UA },
        payload: { name: 'ci', scopes: ['status:read'], expires_in_days: 30 },
      });
    expect((await create()).statusCode).toBe(201);
    await ageSession(user, 6);
    const refused = await create();
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: { code: 'reauth_required' } });
    // Reads are not affected.
    expect(
      (
        await harness.app.inject({
          method: 'GET',
          url: '/api/v1/api-keys',
          headers: bearer(user.access_token),
        })
      ).statusCode,
    ).toBe(200);
    // With a factor enrolled, the password alone does not step up.
    expect(
      (await post('/api/v1/auth/reauth', { password: user.password }, bearer(user.access_token))).status,
    ).toBe(400);
    expect(
      (await post('/api/v1/auth/reauth', { method: 'totp', code: '000000' }, bearer(user.access_token)))
        .status,
    ).toBe(401);
    const stepped = await post(
      '/api/v1/auth/reauth',
      { method: 'totp', code: totpCode(secret, Date.now() + 30_000) },
      bearer(user.access_token),
    );
    expect(stepped.status).toBe(200);
    expect(Date.parse(stepped.body.valid_until as string)).toBeGreaterThan(Date.now() + 4 * 60_000);
    expect((await create()).statusCode).toBe(201);
    expect((await auditEntries('step_up')).some((entry) => entry.actor === user.user.email)).toBe(true);
    expect((await auditEntries('step_up_required')).some((entry) => entry.actor === user.user.email)).toBe(
      true,
    );
  });

  it('an account without a factor steps up with its password; every listed action is guarded', async () => {
    const user = await userWithRole(harness.app, admin, 'super_admin');
    await ageSession(user, 10);
    const attempts = [
      {
        method: 'POST',
        url: '/api/v1/users',
        payload: { email: 'x@example.test', password: 'a long enough password', role: 'viewer' },
      },
      { method: 'PUT', url: '/api/v1/firewall/limits', payload: {} },
      { method: 'POST', url: '/api/v1/firewall/rules', payload: {} },
      { method: 'GET', url: '/api/v1/audit/export' },
      {
        method: 'POST',
        url: '/api/v1/auth/change-password',
        payload: { current_password: user.password, new_password: 'another long password' },
      },
    ] as const;
    for (const attempt of attempts) {
      const response = await harness.app.inject({ ...attempt, headers: bearer(user.access_token) } as never);
      expect([
        attempt.url,
        response.statusCode,
        response.json<{ error?: { code: string } }>().error?.code,
      ]).toEqual([attempt.url, 401, 'reauth_required']);
    }
    expect(
      (await post('/api/v1/auth/reauth', { password: 'wrong password here' }, bearer(user.access_token)))
        .status,
    ).toBe(401);
    expect(
      (await post('/api/v1/auth/reauth', { password: user.password }, bearer(user.access_token))).status,
    ).toBe(200);
    const exported = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/audit/export',
      headers: bearer(user.access_token),
    });
    expect(exported.statusCode).toBe(200);
  });

  it('every step-up route exists in the route table', async () => {
    const { STEP_UP_ROUTES } = await import('../../../../server/auth/mfa/step-up.ts');
    const routes = new Set(harness.app.routeTable.map((route) => `${route.method} ${route.url}`));
    for (const route of STEP_UP_ROUTES) expect(routes).toContain(route);
  });
});
