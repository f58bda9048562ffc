/**
 * The second-factor routes change security state (a factor enrolled or removed, recovery
 * codes renewed, a session stepped up, a session started) and audit it: both commit in
 * one transaction or neither does. An audit log that refuses the entry (here: a sink that
 * throws for chosen types, standing in for a full disk or a broken database) must leave
 * the factor as it was (docs/SECURITY.md §Threat model and tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { AuditEventInput } from '../../../../shared/common/audit-event.ts';
import type { AuditSink } from '../../../../server/audit-sink.ts';
import { createAuditService } from '../../../../server/audit/audit.plugin.ts';
import { totpCode } from '../../../../server/auth/mfa/totp.ts';
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

/** Entry types the audit log refuses for now. */
const refused = new Set<string>();

function check(event: AuditEventInput): void {
  if (refused.has(event.type)) throw new Error(`audit log unavailable (${event.type})`);
}

async function refusingAudit(app: FastifyInstance): Promise<AuditSink> {
  const real = await createAuditService(app);
  return {
    append: async (event) => {
      check(event);
      await real.append(event);
    },
    transact: (work) =>
      real.transact((trx, append) =>
        work(trx, (event) => {
          check(event);
          append(event);
        }),
      ),
  };
}

let harness: TestApp;
let admin: Session;

beforeAll(async () => {
  harness = await startTestApp({}, { audit: refusingAudit });
  admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
});
afterAll(async () => harness.close());

const post = (url: string, token: string, payload: object = {}) =>
  harness.app.inject({ method: 'POST', url, headers: bearer(token), payload });

async function factorState(userId: string) {
  const totp = await harness.app.db
    .withTables<{ mfa_totp: { user_id: string; confirmed_at: string | null } }>()
    .selectFrom('mfa_totp')
    .select('confirmed_at')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const codes = await harness.app.db
    .withTables<{ mfa_recovery_codes: { user_id: string; code_hash: string } }>()
    .selectFrom('mfa_recovery_codes')
    .select('code_hash')
    .where('user_id', '=', userId)
    .orderBy('code_hash')
    .execute();
  const sessions = await harness.app.db
    .selectFrom('sessions')
    .select(['id', 'auth_at'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
  return { totp: totp?.confirmed_at ?? null, codes: codes.map((row) => row.code_hash), sessions };
}

describe('second factors: no change without its entry', () => {
  it('enrolment, renewal, removal and step-up roll back when their entry cannot be written', async () => {
    const user = await userWithRole(harness.app, admin, 'operator');
    const started = await post('/api/v1/auth/mfa/totp', user.access_token);
    expect(started.statusCode).toBe(200);
    const secret = (started.json() as { secret: string }).secret;

    refused.add('mfa_enrol');
    let before = await factorState(user.user.id);
    const confirm = await post('/api/v1/auth/mfa/totp/confirm', user.access_token, {
      code: totpCode(secret),
    });
    expect(confirm.statusCode).toBe(500);
    expect(await factorState(user.user.id)).toEqual(before);
    expect(before.totp).toBeNull();

    // With the log working, enrolment commits with its entry.
    refused.clear();
    const enrolled = await post('/api/v1/auth/mfa/totp/confirm', user.access_token, {
      code: totpCode(secret, Date.now() + 30_000),
    });
    expect(enrolled.statusCode).toBe(200);
    const { recovery_codes: codes } = enrolled.json() as { recovery_codes: string[] };

    refused.add('mfa_enrol');
    before = await factorState(user.user.id);
    expect((await post('/api/v1/auth/mfa/recovery-codes', user.access_token)).statusCode).toBe(500);
    expect(await factorState(user.user.id)).toEqual(before);

    refused.add('step_up');
    before = await factorState(user.user.id);
    const stepUp = await post('/api/v1/auth/reauth', user.access_token, {
      method: 'recovery',
      code: codes[0]!,
    });
    expect(stepUp.statusCode).toBe(500);
    expect((await factorState(user.user.id)).sessions).toEqual(before.sessions);

    refused.add('mfa_remove');
    before = await factorState(user.user.id);
    const disable = await post('/api/v1/auth/mfa/totp/disable', user.access_token, { code: codes[1]! });
    expect(disable.statusCode).toBe(500);
    const after = await factorState(user.user.id);
    expect(after.totp).toBe(before.totp);
    expect(after.totp).not.toBeNull();

    // A second-factor sign-in whose entry cannot be written starts no session.
    refused.clear();
    refused.add('login_success');
    const challenge = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.user.email, password: user.password },
    });
    expect(challenge.statusCode).toBe(200);
    const mfaToken = (challenge.json() as { mfa_token: string }).mfa_token;
    before = await factorState(user.user.id);
    const verify = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/verify',
      payload: { mfa_token: mfaToken, method: 'recovery', code: codes[2]! },
    });
    expect(verify.statusCode).toBe(500);
    expect((await factorState(user.user.id)).sessions).toEqual(before.sessions);
    refused.clear();
  });
});
