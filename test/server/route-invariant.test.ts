/**
 * The audit invariant over every state-changing route of the API, with generated
 * bodies (fast-check: lone surrogates, control characters, huge and non-integer
 * numbers, deep nesting, wrong types, plus well-formed values so changes do happen):
 * after each request, either it was refused and no security state changed (only a
 * refusal may be audited: a failed sign-in, a lock-out…), or it succeeded and every
 * change it made has exactly its one entry, carrying the request's id
 * (docs/SECURITY.md §Threat model and tests). A new mutating route without a body
 * generator here fails the coverage check.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  bearer,
  login,
  publishResource,
  relaxRateLimits,
  startTestApp,
  userWithRole,
  type Session,
  type TestApp,
} from './helpers.ts';

/**
 * The security state: each table's rows (bookkeeping columns left out). A TOTP secret
 * counts once it is confirmed: a pending enrolment is no factor yet (and is audited
 * when confirmed).
 */
const STATE_TABLES: Record<string, { skip?: readonly string[]; where?: string }> = {
  users: {},
  api_keys: { skip: ['last_used_at'] },
  firewall_rules: {},
  firewall_settings: {},
  machines: {},
  resources: {},
  sessions: {},
  mfa_totp: { skip: ['last_step'], where: 'confirmed_at is not null' },
  mfa_webauthn_credentials: { skip: ['counter', 'last_used_at'] },
  mfa_recovery_codes: {},
};
/** Entries a refusal may leave (the refusal is the event). */
const REFUSAL_TYPES = new Set(['login_failure', 'lockout', 'mfa_failure', 'refresh_reuse', 'demo_refusal']);

let harness: TestApp;
let admin: Session;
let victimIds: string[] = [];
let machineId = '';
let resourceId = '';
let ruleIds: string[] = [];
let keyIds: string[] = [];

async function tableDigest(table: string, skip: readonly string[], where?: string): Promise<string> {
  const query = where
    ? sql<Record<string, unknown>>`select * from ${sql.table(table)} where ${sql.raw(where)}`
    : sql<Record<string, unknown>>`select * from ${sql.table(table)}`;
  const rows = (await query.execute(harness.app.db)).rows;
  const kept = rows
    .map((row) => JSON.stringify(Object.entries(row).filter(([column]) => !skip.includes(column))))
    .sort();
  return createHash('sha256').update(kept.join('\n')).digest('hex');
}

async function snapshot(): Promise<{ tables: Record<string, string>; head: number }> {
  const tables: Record<string, string> = {};
  for (const [table, { skip = [], where }] of Object.entries(STATE_TABLES)) {
    tables[table] = await tableDigest(table, skip, where);
  }
  const head = await sql<{ seq: number | null }>`select max(seq) as seq from audit_entries`.execute(
    harness.app.db,
  );
  return { tables, head: Number(head.rows[0]?.seq ?? 0) };
}

async function entriesAfter(seq: number): Promise<{ type: string; request_id: string | null }[]> {
  return (
    await sql<{
      type: string;
      request_id: string | null;
    }>`select type, request_id from audit_entries where seq > ${seq} order by seq`.execute(harness.app.db)
  ).rows;
}

// --- generated values ------------------------------------------------------------------

const lone = fc.constantFrom('\uD800', '\uDFFF', 'a\uDBFFb', '\uDC00x', 'ok\uD83D');
const control = fc
  .array(fc.integer({ min: 0, max: 0x1f }), { minLength: 1, maxLength: 8 })
  .map((codes) => `x${String.fromCharCode(...codes)}y`);
const nastyText = fc.oneof(
  lone.map((text) => `note ${text}`),
  control,
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ maxLength: 300 }),
);
const hugeNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 64, -0, 0.5, 1e-300),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
/** `depth` levels of nesting around a value (deeper than any schema allows). */
const deep = fc
  .tuple(fc.integer({ min: 10, max: 200 }), fc.oneof(lone, fc.constant(1)))
  .map(([depth, leaf]) => {
    let value: unknown = leaf;
    for (let index = 0; index < depth; index += 1) value = index % 2 ? [value] : { a: value };
    return value;
  });
const anything = fc.oneof(nastyText, hugeNumber, deep, fc.boolean(), fc.constant(null), fc.jsonValue());
/** A well-formed value, or the same with a lone surrogate or control characters in it. */
const tainted = (good: fc.Arbitrary<unknown>) =>
  fc
    .tuple(good, fc.oneof(lone, control))
    .map(([value, taint]) =>
      typeof value === 'string' ? `${value}${taint}` : Array.isArray(value) ? [...value, taint] : value,
    );
/** A field: a well-formed choice, a tainted one, or anything at all. */
const field = (...good: fc.Arbitrary<unknown>[]) =>
  good.length === 0
    ? anything
    : fc.oneof(
        { weight: 3, arbitrary: fc.oneof(...good) },
        { weight: 3, arbitrary: tainted(fc.oneof(...good)) },
        { weight: 2, arbitrary: anything },
      );
/** An object with all or some of its fields, sometimes an extra member, sometimes not an object. */
function body(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.record(fields) },
    { weight: 2, arbitrary: fc.record(fields, { requiredKeys: [] }) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.record(fields), nastyText, anything).map(([value, key, extra]) => ({
        ...value,
        [key]: extra,
      })),
    },
    { weight: 1, arbitrary: anything },
  );
}

const docCidr = fc.oneof(
  fc.integer({ min: 1, max: 254 }).map((octet) => `203.0.113.${octet}`),
  fc.constantFrom('203.0.113.0/24', '2001:db8::/32', '2001:db8:1::7'),
);
const emailOk = fc
  .tuple(fc.stringMatching(/^[a-z]{1,10}$/), fc.constantFrom('example.test', 'x.test'))
  .map(([user, host]) => `${user}@${host}`);
const passwordOk = fc.constant('a long enough password 1');
const mfaCode = fc.oneof(fc.stringMatching(/^\d{6}$/), fc.constant('aaaa-bbbb-cccc'));
const role = fc.constantFrom('viewer', 'operator', 'auditor', 'publisher', 'admin', 'super_admin', 'none');
const isoFuture = fc.constantFrom('2099-01-01T00:00:00.000Z', '1999-01-01T00:00:00Z', 'not a time');
const hwHash = fc.stringMatching(/^[0-9a-f]{96}$/);
const publicKey = fc.constant(`${'A'.repeat(42)}E=`);
const limit = fc.record({
  capacity: field(fc.integer({ min: 100_000, max: 1_000_000 })),
  refill_per_s: field(fc.constant(100_000)),
});

/** Query text; a lone surrogate goes as the bytes of its (invalid) UTF-8 encoding. */
const queryText = (value: string) =>
  value.isWellFormed() ? encodeURIComponent(value) : `${encodeURIComponent(value.toWellFormed())}%ED%A0%80`;

interface Case {
  /** The concrete URL (params filled from the fixtures or generated). */
  url: fc.Arbitrary<string>;
  payload: fc.Arbitrary<unknown>;
  /** The request signs the caller out or changes its password: send it with a throwaway session. */
  ownSession?: boolean;
  contentType?: string;
}

const pick = (values: () => string[], ...more: string[]) =>
  fc.oneof(
    fc.constantFrom(...more),
    fc.nat().map((index) => values()[index % Math.max(1, values().length)] ?? more[0]!),
  );

function cases(): Record<string, Case> {
  const fixed = (url: string) => fc.constant(url);
  const json = (...fields: [string, fc.Arbitrary<unknown>][]) => body(Object.fromEntries(fields));
  return {
    'POST /api/v1/auth/login': {
      url: fixed('/api/v1/auth/login'),
      payload: json(
        ['email', field(emailOk, fc.constant(ADMIN_EMAIL))],
        ['password', field(passwordOk)],
        ['session', field(fc.constantFrom('bearer', 'cookie'))],
      ),
    },
    'POST /api/v1/auth/refresh': {
      url: fixed('/api/v1/auth/refresh'),
      payload: json(['refresh_token', field()]),
    },
    'POST /api/v1/auth/logout': {
      url: fixed('/api/v1/auth/logout'),
      payload: json(['refresh_token', field()]),
      ownSession: true,
    },
    'DELETE /api/v1/auth/sessions/:id': {
      url: fc.uuid().map((id) => `/api/v1/auth/sessions/${id}`),
      payload: fc.constant(undefined),
      ownSession: true,
    },
    'POST /api/v1/auth/change-password': {
      url: fixed('/api/v1/auth/change-password'),
      payload: json(
        ['current_password', field(fc.constant('pw-throwaway-password-long'))],
        ['new_password', field(passwordOk)],
      ),
      ownSession: true,
    },
    // Second factors and step-up, as the bootstrap admin (no factor: the codes are refused,
    // a password step-up succeeds and moves the session's auth_at with its one entry).
    'POST /api/v1/auth/mfa/verify': {
      url: fixed('/api/v1/auth/mfa/verify'),
      payload: json(
        ['mfa_token', field(fc.constant('mt_not-a-token'))],
        ['method', field(fc.constantFrom('totp', 'recovery', 'webauthn'))],
        ['code', field(mfaCode)],
      ),
    },
    'POST /api/v1/auth/mfa/webauthn/options': {
      url: fixed('/api/v1/auth/mfa/webauthn/options'),
      payload: json(['mfa_token', field(fc.constant('mt_not-a-token'))]),
    },
    'POST /api/v1/auth/mfa/totp': { url: fixed('/api/v1/auth/mfa/totp'), payload: fc.constant({}) },
    'POST /api/v1/auth/mfa/totp/confirm': {
      url: fixed('/api/v1/auth/mfa/totp/confirm'),
      payload: json(['code', field(mfaCode)]),
    },
    'POST /api/v1/auth/mfa/totp/disable': {
      url: fixed('/api/v1/auth/mfa/totp/disable'),
      payload: json(['code', field(mfaCode)]),
    },
    'POST /api/v1/auth/mfa/recovery-codes': {
      url: fixed('/api/v1/auth/mfa/recovery-codes'),
      payload: fc.constant({}),
    },
    'POST /api/v1/auth/mfa/webauthn/register/options': {
      url: fixed('/api/v1/auth/mfa/webauthn/register/options'),
      payload: fc.constant({}),
    },
    'POST /api/v1/auth/mfa/webauthn/register': {
      url: fixed('/api/v1/auth/mfa/webauthn/register'),
      payload: json(['name', field(fc.constant('key'))], ['response', field()]),
    },
    'PATCH /api/v1/auth/mfa/webauthn/:id': {
      url: fixed('/api/v1/auth/mfa/webauthn/no-such-passkey'),
      payload: json(['name', field(fc.constant('renamed'))]),
    },
    'DELETE /api/v1/auth/mfa/webauthn/:id': {
      url: fixed('/api/v1/auth/mfa/webauthn/no-such-passkey'),
      payload: fc.constant(undefined),
    },
    'POST /api/v1/auth/reauth/webauthn/options': {
      url: fixed('/api/v1/auth/reauth/webauthn/options'),
      payload: fc.constant({}),
    },
    'POST /api/v1/auth/reauth': {
      url: fixed('/api/v1/auth/reauth'),
      payload: fc.oneof(
        json(['password', field(fc.constant(DEV_PASSWORD), passwordOk)]),
        json(['method', field(fc.constantFrom('totp', 'recovery'))], ['code', field(mfaCode)]),
      ),
    },
    'POST /api/v1/users': {
      url: fixed('/api/v1/users'),
      payload: json(['email', field(emailOk)], ['password', field(passwordOk)], ['role', field(role)]),
    },
    'PATCH /api/v1/users/:id': {
      url: pick(() => victimIds, 'unknown-user').map((id) => `/api/v1/users/${encodeURIComponent(id)}`),
      payload: json(
        ['role', field(role)],
        ['disabled', field(fc.boolean())],
        ['password', field(passwordOk)],
      ),
    },
    'DELETE /api/v1/users/:id': {
      url: pick(() => victimIds, 'unknown-user').map((id) => `/api/v1/users/${encodeURIComponent(id)}`),
      payload: fc.constant(undefined),
    },
    'POST /api/v1/api-keys': {
      url: fixed('/api/v1/api-keys'),
      payload: json(
        ['name', field(fc.constantFrom('svc', 'ci key'))],
        ['scopes', field(fc.constant(['audit:read']), fc.constant(['users:admin']))],
        ['expires_in_days', field(fc.integer({ min: 1, max: 3650 }))],
      ),
    },
    'POST /api/v1/api-keys/:id/rotate': {
      url: pick(() => keyIds, '0123456789abcdef').map((id) => `/api/v1/api-keys/${id}/rotate`),
      payload: json(['expires_in_days', field(fc.integer({ min: 1, max: 3650 }))]),
    },
    'DELETE /api/v1/api-keys/:id': {
      url: pick(() => keyIds, '0123456789abcdef').map((id) => `/api/v1/api-keys/${id}`),
      payload: fc.constant(undefined),
    },
    'POST /api/v1/firewall/rules': {
      url: fixed('/api/v1/firewall/rules'),
      payload: json(
        ['action', field(fc.constantFrom('allow', 'deny'))],
        ['cidr', field(docCidr)],
        ['note', field(fc.constant('a note'))],
        ['expires_at', field(isoFuture)],
      ),
    },
    'PATCH /api/v1/firewall/rules/:id': {
      url: pick(() => ruleIds, 'no-such-rule').map((id) => `/api/v1/firewall/rules/${id}`),
      payload: json(
        ['action', field(fc.constantFrom('allow', 'deny'))],
        ['cidr', field(docCidr)],
        ['note', field(fc.constant('changed'))],
      ),
    },
    'DELETE /api/v1/firewall/rules/:id': {
      url: pick(() => ruleIds, 'no-such-rule').map((id) => `/api/v1/firewall/rules/${id}`),
      payload: fc.constant(undefined),
    },
    'PUT /api/v1/firewall/limits': {
      url: fixed('/api/v1/firewall/limits'),
      payload: json(['public', field(limit)], ['authenticated', field(limit)], ['heavy', field(limit)]),
    },
    'POST /api/v1/machines': {
      url: fixed('/api/v1/machines'),
      payload: json(
        ['hw_hash', field(hwHash)],
        ['public_key', field(publicKey)],
        ['label', field(fc.constant('bench'))],
      ),
    },
    'DELETE /api/v1/machines/:id': {
      url: fc.constantFrom('mch_000000000000000000000000', 'bad').map((id) => `/api/v1/machines/${id}`),
      payload: fc.constant(undefined),
    },
    'POST /api/v1/resources': {
      url: fc
        .oneof(nastyText, fc.constant('model'))
        .map((name) => `/api/v1/resources?name=${queryText(name)}`),
      payload: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
      contentType: 'application/octet-stream',
    },
    'POST /api/v1/resources/:id/unlock': {
      url: fc.constant(0).map(() => `/api/v1/resources/${resourceId}/unlock`),
      payload: json(['machine_id', field(fc.constant(0).map(() => machineId))]),
    },
    'POST /api/v1/resources/:id/cdn-url': {
      url: fc.constant(0).map(() => `/api/v1/resources/${resourceId}/cdn-url`),
      payload: json(['machine_id', field(fc.constant(0).map(() => machineId))]),
    },
    'POST /api/v1/resources/:id/exports': {
      url: fc.constant(0).map(() => `/api/v1/resources/${resourceId}/exports`),
      payload: json(
        ['machine_id', field(fc.constant(0).map(() => machineId))],
        ['exported_at', field(fc.constant('2026-01-01T00:00:00.000Z'))],
        ['offline', field(fc.boolean())],
      ),
    },
    'POST /api/v1/audit/events': {
      url: fixed('/api/v1/audit/events'),
      payload: json(
        ['type', field(fc.constant('agent_handoff'))],
        [
          'details',
          field(
            fc.record({
              from_agent: field(fc.constant('a')),
              to_agent: field(fc.constant('b')),
              reason: nastyText,
              output_sha256: fc.constant('0'.repeat(64)),
            }),
          ),
        ],
      ),
    },
  };
}

beforeAll(async () => {
  harness = await startTestApp();
  admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
  await relaxRateLimits(harness.app, admin);
  for (let index = 0; index < 3; index += 1) {
    const created = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(admin.access_token),
      payload: { email: `victim${index}@example.test`, password: 'a long enough password', role: 'viewer' },
    });
    victimIds.push((created.json() as { id: string }).id);
  }
  const machine = await harness.app.inject({
    method: 'POST',
    url: '/api/v1/machines',
    headers: bearer(admin.access_token),
    payload: { hw_hash: 'b'.repeat(96), public_key: `${'A'.repeat(42)}E=`, label: 'fixture' },
  });
  machineId = (machine.json() as { machine_id: string }).machine_id;
  resourceId = (await publishResource(harness.app, admin, 'fixture', new Uint8Array(100))).resource.id;
}, 60_000);
afterAll(async () => harness.close());

async function refreshFixtures(): Promise<void> {
  ruleIds = (await sql<{ id: string }>`select id from firewall_rules`.execute(harness.app.db)).rows.map(
    (row) => row.id,
  );
  keyIds = (await sql<{ id: string }>`select id from api_keys`.execute(harness.app.db)).rows.map(
    (row) => row.id,
  );
  victimIds = (
    await sql<{
      id: string;
    }>`select id from users where email like 'victim%' or email like '%@x.test'`.execute(harness.app.db)
  ).rows.map((row) => row.id);
}

/** A throwaway account signed in, for requests that end their own session. */
async function throwawaySession(): Promise<Session> {
  return userWithRole(harness.app, admin, 'operator').then(async (user) => {
    const reset = await harness.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${user.user.id}`,
      headers: bearer(admin.access_token),
      payload: { password: 'pw-throwaway-password-long' },
    });
    expect(reset.statusCode).toBe(200);
    return login(harness.app, user.user.email, 'pw-throwaway-password-long');
  });
}

let sourceOctet = 0;

describe('every mutating route: refused with nothing changed, or changed with exactly its entry', () => {
  it('has a body generator for every state-changing route of the app', () => {
    const mutating = harness.app.routeTable
      .filter((route) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method))
      .map((route) => `${route.method} ${route.url}`);
    const missing = mutating.filter((key) => !(key in cases()) && !key.includes('/auth/oidc'));
    expect(missing).toEqual([]);
    expect(mutating.length).toBeGreaterThan(20);
  });

  const generic = (url: string) => ({ url: fc.constant(url), payload: anything });

  it('holds for generated requests', { timeout: 300_000 }, async () => {
    const mutating = harness.app.routeTable.filter((route) =>
      ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method),
    );
    const table = cases();
    let successes = 0;
    let refusals = 0;
    for (const route of mutating) {
      const key = `${route.method} ${route.url}`;
      const spec: Case = table[key] ?? generic(route.url.replace(/:[A-Za-z_]+/g, 'x'));
      await fc.assert(
        fc.asyncProperty(spec.url, spec.payload, async (url, payload) => {
          await refreshFixtures();
          const session = spec.ownSession ? await throwawaySession() : admin;
          const before = await snapshot();
          sourceOctet = (sourceOctet % 250) + 1;
          const response = await harness.app.inject({
            method: route.method as 'POST',
            url,
            remoteAddress: `198.51.100.${sourceOctet}`,
            headers: {
              ...bearer(session.access_token),
              ...(spec.contentType ? { 'content-type': spec.contentType } : {}),
            },
            ...(payload === undefined
              ? {}
              : spec.contentType
                ? { payload: payload as Buffer }
                : {
                    payload: JSON.stringify(payload),
                    headers: { ...bearer(session.access_token), 'content-type': 'application/json' },
                  }),
          });
          const after = await snapshot();
          const entries = await entriesAfter(before.head);
          const changed = Object.keys(before.tables).filter(
            (table) => before.tables[table] !== after.tables[table],
          );
          const requestId = String(response.headers['x-request-id']);
          const own = entries.filter((entry) => !REFUSAL_TYPES.has(entry.type));
          const context = `${key} ${url} → ${response.statusCode} ${response.body.slice(0, 200)}; changed ${changed.join(',')}; entries ${entries.map((entry) => entry.type).join(',')}`;
          expect(response.statusCode, context).toBeLessThan(500);
          if (response.statusCode >= 400) {
            refusals += 1;
            expect(changed, context).toEqual([]);
            expect(own, context).toEqual([]);
          } else {
            successes += 1;
            if (changed.length > 0) {
              expect(own.length, context).toBe(1);
              expect(own[0]?.request_id, context).toBe(requestId);
            } else {
              expect(own.length, context).toBeLessThanOrEqual(1);
            }
          }
          for (const entry of entries) expect(entry.request_id, context).toBe(requestId);
          if (key === 'PUT /api/v1/firewall/limits') await relaxRateLimits(harness.app, admin);
        }),
        { numRuns: 25, endOnFailure: true },
      );
    }
    // The generators reach both outcomes, so neither half of the invariant is vacuous.
    expect(successes).toBeGreaterThan(20);
    expect(refusals).toBeGreaterThan(100);
  });
});
