/**
 * A security change and its audit entry commit together or not at all: a string that
 * has no canonical form (a lone UTF-16 surrogate) in a firewall note, a machine label or
 * a new account's e-mail is refused with 400 before anything changes, and a change whose
 * entry cannot be written is rolled back (docs/SECURITY.md §Threat model and tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../server/db/database.ts';
import { FirewallStore } from '../../../server/firewall/firewall.store.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  bearer,
  login,
  startTestApp,
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

async function counts(): Promise<{ rules: number; users: number; machines: number; entries: number }> {
  const db = harness.app.db as unknown as {
    selectFrom(table: string): {
      select(fn: (eb: { fn: { countAll(): { as(name: string): unknown } } }) => unknown): {
        executeTakeFirstOrThrow(): Promise<{ n: number | string }>;
      };
    };
  };
  const count = async (table: string) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    rules: await count('firewall_rules'),
    users: await count('users'),
    machines: await count('machines'),
    entries: await count('audit_entries'),
  };
}

const LONE = '\uD800';

describe('no change without its audit entry', () => {
  it('a firewall rule whose note holds a lone surrogate is refused and nothing changes', async () => {
    const before = await counts();
    const response = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/firewall/rules',
      headers: bearer(admin.access_token),
      payload: { action: 'allow', cidr: '203.0.113.7', note: `poc ${LONE}` },
    });
    expect(response.statusCode).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('a new account whose e-mail holds a lone surrogate is refused and nothing changes', async () => {
    const before = await counts();
    const response = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(admin.access_token),
      payload: { email: `evil${LONE}@example.test`, password: 'a long enough password', role: 'super_admin' },
    });
    expect(response.statusCode).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('a machine whose label holds a lone surrogate is refused and nothing changes', async () => {
    const before = await counts();
    const response = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/machines',
      headers: bearer(admin.access_token),
      payload: {
        hw_hash: 'a'.repeat(96),
        public_key: `${'A'.repeat(42)}E=`,
        label: `bench ${LONE}`,
      },
    });
    expect(response.statusCode).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('a well-formed change commits with exactly one entry', async () => {
    const before = await counts();
    const response = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/firewall/rules',
      headers: bearer(admin.access_token),
      payload: { action: 'allow', cidr: '203.0.113.8', note: 'ok \u{1F600}' },
    });
    expect(response.statusCode).toBe(201);
    expect(await counts()).toEqual({ ...before, rules: before.rules + 1, entries: before.entries + 1 });
  });
});

describe('app.audit.transact', () => {
  it('rolls the change back when its entry cannot be written, and commits both otherwise', async () => {
    const insertRule = (trx: Db, note: string) =>
      new FirewallStore(trx).createRule({
        action: 'deny',
        cidr: '198.51.100.9/32',
        note,
        expires_at: null,
        created_by: 'test',
      });
    const before = await counts();
    // Past every schema: the entry has no canonical form, so nothing may commit.
    await expect(
      harness.app.audit.transact(async (trx, append) => {
        await insertRule(trx, 'rolled back');
        append({ type: 'firewall_rule_create', actor: 'test', details: { note: `bad ${LONE}` } });
      }),
    ).rejects.toThrow(/surrogate/);
    expect(await counts()).toEqual(before);
    // A throw from the work itself rolls back too.
    await expect(
      harness.app.audit.transact(async (trx, append) => {
        await insertRule(trx, 'rolled back');
        append({ type: 'firewall_rule_create', actor: 'test', details: {} });
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    expect(await counts()).toEqual(before);
    const seqBefore = harness.app.auditService!.headSeq;
    await harness.app.audit.transact(async (trx, append) => {
      await insertRule(trx, 'kept');
      append({ type: 'firewall_rule_create', actor: 'test', details: { note: 'kept' } });
    });
    expect(await counts()).toEqual({ ...before, rules: before.rules + 1, entries: before.entries + 1 });
    expect(harness.app.auditService!.headSeq).toBe(seqBefore + 1);
    expect((await harness.app.auditService!.verify()).ok).toBe(true);
  });
});
