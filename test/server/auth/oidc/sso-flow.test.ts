/**
 * Single sign-on against a real OpenID provider (oidc-provider on loopback, test-idp.ts):
 * the code flow from the console's start to its token response, and each refusal the
 * server must make — a replayed callback, a replayed ID token, a wrong audience, a wrong
 * nonce, an expired token, a foreign signature — plus a key rotation, role mapping,
 * unknown users, FACTORY_OIDC_ONLY, and the console's loopback hop (PKCE, loopback only).
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OidcConfig } from '../../../../server/auth/identity.config.ts';
import { totpCode } from '../../../../server/auth/mfa/totp.ts';
import { withIdentityTables } from '../../../../server/auth/mfa/mfa.tables.ts';
import { ADMIN_EMAIL, DEV_PASSWORD, bearer, startTestApp, type TestApp } from '../../helpers.ts';
import { BrowserAgent, startTestIdp, type TestIdp } from './test-idp.ts';

// The browser is walked by hand: it stops at this URL and the test hands it to the app.
const REDIRECT_URL = 'http://127.0.0.1:9/api/v1/auth/oidc/callback';
const LOOPBACK = 'http://127.0.0.1:53682/callback';

let idp: TestIdp;
let harness: TestApp;

function oidcConfig(overrides: Partial<OidcConfig> = {}): OidcConfig {
  return {
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    redirectUrl: REDIRECT_URL,
    roleClaim: 'groups',
    roleMap: [
      { value: 'factory-admins', role: 'admin' },
      { value: 'factory-ops', role: 'operator' },
    ],
    only: false,
    jwksRefreshCooldownMs: 0,
    ...overrides,
  };
}

async function appWith(overrides: Partial<OidcConfig> = {}): Promise<TestApp> {
  return startTestApp({
    identity: { mfaRequiredRoles: [], webauthn: undefined, oidc: oidcConfig(overrides) },
  });
}

beforeAll(async () => {
  idp = await startTestIdp({ redirectUris: [REDIRECT_URL] });
  harness = await appWith();
});
afterAll(async () => {
  await harness?.close();
  await idp?.close();
});
afterEach(() => {
  idp.tamper = null;
  idp.replaceIdToken = null;
  idp.signWithForeignKey = false;
});

const verifierPair = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

interface Walk {
  /** The provider's redirect to the Factory API's callback (path and query). */
  callback: string;
  /** Where the Factory API sent the browser: the console's loopback URL. */
  loopback: URL;
  verifier: string;
  state: string;
}

/** The console's start, the browser at the provider, the callback: up to the loopback redirect. */
async function walk(app: TestApp, login: string, returnTo = LOOPBACK): Promise<Walk> {
  const { verifier, challenge } = verifierPair();
  const state = randomBytes(16).toString('base64url');
  const started = await app.app.inject({
    method: 'POST',
    url: '/api/v1/auth/oidc/start',
    payload: { return_to: returnTo, code_challenge: challenge, state },
  });
  expect(started.statusCode, started.body).toBe(200);
  const authorizationUrl = started.json<{ authorization_url: string }>().authorization_url;
  expect(authorizationUrl.startsWith(`${idp.issuer}/auth?`)).toBe(true);
  const atCallback = await new BrowserAgent().signIn(
    authorizationUrl,
    login,
    'the password only the provider sees',
    (url) => url.href.startsWith(REDIRECT_URL),
  );
  const callback = atCallback.pathname + atCallback.search;
  const answered = await app.app.inject({ method: 'GET', url: callback });
  expect(answered.statusCode, answered.body).toBe(303);
  return { callback, loopback: new URL(answered.headers.location as string), verifier, state };
}

async function exchange(app: TestApp, code: string, verifier: string) {
  return app.app.inject({
    method: 'POST',
    url: '/api/v1/auth/oidc/exchange',
    payload: { code, code_verifier: verifier },
  });
}

async function auditOf(app: TestApp, type: string) {
  return (
    await sql<{
      actor: string | null;
      details: string;
    }>`select actor, details from audit_entries where type = ${type} order by seq`.execute(app.app.db)
  ).rows.map((row) => ({ actor: row.actor, details: JSON.parse(row.details) as Record<string, unknown> }));
}

async function lastFailure(app: TestApp): Promise<Record<string, unknown> | undefined> {
  return (await auditOf(app, 'sso_failure')).at(-1)?.details;
}

let accounts = 0;
function account(groups: string[], extra: Partial<{ email: string; email_verified: boolean }> = {}) {
  accounts += 1;
  const login = `person-${accounts}`;
  idp.accounts.set(login, { email: `${login}@corp.example`, email_verified: true, groups, ...extra });
  return { login, email: extra.email ?? `${login}@corp.example` };
}

describe('single sign-on: the code flow end to end', () => {
  it('says SSO is offered, signs an unknown user in with the mapped role, and audits it', async () => {
    const methods = await harness.app.inject({ method: 'GET', url: '/api/v1/auth/methods' });
    expect(methods.json()).toEqual({ password: true, sso: true, webauthn: false });

    const person = account(['staff', 'factory-ops']);
    const result = await walk(harness, person.login);
    expect(result.loopback.origin + result.loopback.pathname).toBe(LOOPBACK);
    expect(result.loopback.searchParams.get('state')).toBe(result.state);
    const code = result.loopback.searchParams.get('code')!;
    expect(code).toMatch(/^sc_/);

    const tokens = await exchange(harness, code, result.verifier);
    expect(tokens.statusCode, tokens.body).toBe(200);
    const body = tokens.json<{ access_token: string; user: { email: string; role: string } }>();
    expect(body.user).toMatchObject({ email: person.email, role: 'operator' });
    const me = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(body.access_token),
    });
    expect(me.json()).toMatchObject({ user: { email: person.email, role: 'operator' } });

    const created = (await auditOf(harness, 'user_create')).find(
      (entry) => entry.details['email'] === person.email,
    );
    expect(created?.details).toMatchObject({ role: 'operator', via: 'sso' });
    const signedIn = (await auditOf(harness, 'login_success')).filter(
      (entry) => entry.actor === person.email,
    );
    expect(signedIn).toHaveLength(1);
    expect(signedIn[0]!.details['amr']).toEqual(['ext']);
    // No token, code or verifier in the audit log.
    const everything = (
      await sql<{ details: string }>`select details from audit_entries`.execute(harness.app.db)
    ).rows
      .map((row) => row.details)
      .join('\n');
    for (const secret of [code, result.verifier, body.access_token, ...idp.issued]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('refuses a replayed callback, a spent code and a code without its verifier', async () => {
    const person = account(['factory-ops']);
    const result = await walk(harness, person.login);
    const code = result.loopback.searchParams.get('code')!;

    // The same provider answer again: its state was claimed, nothing is issued.
    const replay = await harness.app.inject({ method: 'GET', url: result.callback });
    expect(replay.statusCode).toBe(400);
    expect(replay.headers.location).toBeUndefined();
    expect(await lastFailure(harness)).toMatchObject({ reason: 'state_used' });

    // Another program that read the loopback URL has the code but not the verifier.
    const stolen = await exchange(harness, code, randomBytes(32).toString('base64url'));
    expect(stolen.statusCode).toBe(401);
    expect(await lastFailure(harness)).toMatchObject({ reason: 'code_refused' });

    expect((await exchange(harness, code, result.verifier)).statusCode).toBe(200);
    expect((await exchange(harness, code, result.verifier)).statusCode).toBe(401);
  });

  it('refuses an unknown state with a page (nowhere to send the browser) and an expired one to the console', async () => {
    const unknown = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/auth/oidc/callback?code=anything&state=not-one-we-made',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers.location).toBeUndefined();
    expect(await lastFailure(harness)).toMatchObject({ reason: 'state_unknown' });

    const { challenge } = verifierPair();
    const started = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/oidc/start',
      payload: { return_to: LOOPBACK, code_challenge: challenge, state: 'console-state-0123456789' },
    });
    const state = new URL(started.json<{ authorization_url: string }>().authorization_url).searchParams.get(
      'state',
    )!;
    // Ten minutes pass at the provider.
    await withIdentityTables(harness.app.db)
      .updateTable('oidc_logins')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('claimed_at', 'is', null)
      .execute();
    const late = await harness.app.inject({
      method: 'GET',
      url: `/api/v1/auth/oidc/callback?code=anything&state=${state}`,
    });
    expect(late.statusCode).toBe(303);
    const back = new URL(late.headers.location as string);
    expect(back.searchParams.get('error_description')).toBe('state_expired');
    expect(back.searchParams.get('state')).toBe('console-state-0123456789');
  });

  it('refuses a replayed ID token (an earlier sign-in’s token in a new one)', async () => {
    const person = account(['factory-ops']);
    await walk(harness, person.login);
    idp.replaceIdToken = idp.issued.at(-1)!;
    const replayed = await walk(harness, person.login);
    expect(replayed.loopback.searchParams.get('code')).toBeNull();
    expect(replayed.loopback.searchParams.get('error')).toBe('access_denied');
    expect(replayed.loopback.searchParams.get('state')).toBe(replayed.state);
    expect(await lastFailure(harness)).toMatchObject({ reason: 'id_token_refused', check: 'nonce' });
  });

  for (const [name, change, check] of [
    ['a wrong audience', (claims: Record<string, unknown>) => ({ ...claims, aud: 'another-client' }), 'aud'],
    [
      'a wrong nonce',
      (claims: Record<string, unknown>) => ({ ...claims, nonce: 'not-the-one-we-sent' }),
      'nonce',
    ],
    [
      'an expired token',
      (claims: Record<string, unknown>) => ({
        ...claims,
        iat: Math.floor(Date.now() / 1000) - 7200,
        exp: Math.floor(Date.now() / 1000) - 3600,
      }),
      'exp',
    ],
    [
      'another issuer',
      (claims: Record<string, unknown>) => ({ ...claims, iss: 'https://evil.example' }),
      'iss',
    ],
  ] as const) {
    it(`refuses ${name}`, async () => {
      const person = account(['factory-ops']);
      idp.tamper = change;
      const result = await walk(harness, person.login);
      expect(result.loopback.searchParams.get('code')).toBeNull();
      expect(await lastFailure(harness)).toMatchObject({ reason: 'id_token_refused', check });
    });
  }

  it('refuses a token signed with a key the provider never published', async () => {
    const person = account(['factory-ops']);
    idp.signWithForeignKey = true;
    const result = await walk(harness, person.login);
    expect(result.loopback.searchParams.get('code')).toBeNull();
    expect(await lastFailure(harness)).toMatchObject({ reason: 'id_token_refused', check: 'signature' });
  });

  it('follows a key rotation: an unknown kid fetches the key set again, a known one does not', async () => {
    const person = account(['factory-ops']);
    const before = await walk(harness, person.login);
    expect(before.loopback.searchParams.get('code')).toMatch(/^sc_/);
    const fetches = idp.jwksFetches;
    // Cached: another sign-in with the same key asks the provider for nothing.
    expect((await walk(harness, person.login)).loopback.searchParams.get('code')).toMatch(/^sc_/);
    expect(idp.jwksFetches).toBe(fetches);

    const kid = await idp.rotateKeys();
    const after = await walk(harness, person.login);
    expect(JSON.parse(Buffer.from(idp.issued.at(-1)!.split('.')[0]!, 'base64url').toString()).kid).toBe(kid);
    expect(after.loopback.searchParams.get('code')).toMatch(/^sc_/);
    expect(idp.jwksFetches).toBe(fetches + 1);
  });

  it('maps roles from the claim and follows the provider: moved groups, then no mapped group', async () => {
    const person = account(['factory-ops', 'factory-admins']);
    const first = await walk(harness, person.login);
    const tokens = await exchange(harness, first.loopback.searchParams.get('code')!, first.verifier);
    // The first match in FACTORY_OIDC_ROLE_MAP's order wins.
    expect(tokens.json().user.role).toBe('admin');

    idp.accounts.set(person.login, { ...idp.accounts.get(person.login), groups: ['factory-ops'] });
    const second = await walk(harness, person.login);
    const again = await exchange(harness, second.loopback.searchParams.get('code')!, second.verifier);
    expect(again.json().user.role).toBe('operator');
    expect((await auditOf(harness, 'role_change')).at(-1)?.details).toMatchObject({
      from_role: 'admin',
      to_role: 'operator',
      via: 'sso',
    });

    idp.accounts.set(person.login, { ...idp.accounts.get(person.login), groups: ['staff'] });
    const third = await walk(harness, person.login);
    expect(third.loopback.searchParams.get('error')).toBe('access_denied');
    expect(await lastFailure(harness)).toMatchObject({ reason: 'no_role', email: person.email });
  });

  it('refuses an unknown user no mapping matches, and creates no account', async () => {
    const person = account(['staff']);
    const result = await walk(harness, person.login);
    expect(result.loopback.searchParams.get('error_description')).toBe('no_role');
    const users = await harness.app.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', person.email)
      .execute();
    expect(users).toEqual([]);
  });

  it('links an existing account only when the provider vouches for the e-mail', async () => {
    const admin = (
      await harness.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: ADMIN_EMAIL, password: DEV_PASSWORD },
      })
    ).json<{ access_token: string }>();
    const email = `existing-${accounts}@corp.example`;
    const created = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(admin.access_token),
      payload: { email, password: 'a password of the existing account', role: 'viewer' },
    });
    expect(created.statusCode, created.body).toBe(201);

    const unverified = account(['factory-ops'], { email, email_verified: false });
    expect((await walk(harness, unverified.login)).loopback.searchParams.get('error_description')).toBe(
      'email_unverified',
    );
    const verified = account(['factory-ops'], { email, email_verified: true });
    const result = await walk(harness, verified.login);
    const tokens = await exchange(harness, result.loopback.searchParams.get('code')!, result.verifier);
    expect(tokens.json().user).toMatchObject({ email, role: 'operator', id: created.json().id });
  });

  it('does not skip a second factor: an account with TOTP gets the factor step after the provider', async () => {
    const person = account(['factory-ops']);
    const first = await walk(harness, person.login);
    const session = (await exchange(harness, first.loopback.searchParams.get('code')!, first.verifier)).json<{
      access_token: string;
    }>();
    const started = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/totp',
      headers: bearer(session.access_token),
      payload: {},
    });
    const secret = started.json<{ secret: string }>().secret;
    const confirmed = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/totp/confirm',
      headers: bearer(session.access_token),
      payload: { code: totpCode(secret) },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);

    const second = await walk(harness, person.login);
    const step = await exchange(harness, second.loopback.searchParams.get('code')!, second.verifier);
    expect(step.statusCode).toBe(200);
    const challenge = step.json<{ mfa_required: boolean; mfa_token: string; access_token?: string }>();
    expect(challenge.mfa_required).toBe(true);
    expect(challenge.access_token).toBeUndefined();
    // The next step's code (the enrolment used this one).
    const code = totpCode(secret, Date.now() + 30_000);
    const verified = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/verify',
      payload: { mfa_token: challenge.mfa_token, method: 'totp', code },
    });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json().user.email).toBe(person.email);
  });

  it('accepts only loopback http URLs for the console hop, and a PKCE challenge', async () => {
    const { challenge } = verifierPair();
    for (const returnTo of [
      'https://127.0.0.1:5000/callback',
      'http://evil.example:5000/callback',
      'http://127.0.0.1.evil.example:5000/',
      'http://127.0.0.1/callback',
      'http://127.0.0.1:0/callback',
      'http://user@127.0.0.1:5000/',
      'myapp://callback',
    ]) {
      const refused = await harness.app.inject({
        method: 'POST',
        url: '/api/v1/auth/oidc/start',
        payload: { return_to: returnTo, code_challenge: challenge },
      });
      expect(refused.statusCode, returnTo).toBe(400);
    }
    for (const returnTo of ['http://[::1]:5000/cb', 'http://localhost:5000/cb', 'http://127.0.0.1:65535']) {
      const accepted = await harness.app.inject({
        method: 'POST',
        url: '/api/v1/auth/oidc/start',
        payload: { return_to: returnTo, code_challenge: challenge },
      });
      expect(accepted.statusCode, returnTo).toBe(200);
    }
    const noChallenge = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/oidc/start',
      payload: { return_to: LOOPBACK },
    });
    expect(noChallenge.statusCode).toBe(400);
  });
});

describe('FACTORY_OIDC_ONLY', () => {
  it('turns password sign-in off for everyone but the break-glass super_admin', async () => {
    const only = await appWith({ only: true });
    try {
      const methods = await only.app.inject({ method: 'GET', url: '/api/v1/auth/methods' });
      expect(methods.json()).toMatchObject({ password: false, sso: true });
      const admin = await only.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: ADMIN_EMAIL, password: DEV_PASSWORD },
      });
      expect(admin.statusCode).toBe(200);
      const token = admin.json<{ access_token: string }>().access_token;
      const password = 'an operator password that is long';
      const email = 'operator-only@corp.example';
      const created = await only.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: bearer(token),
        payload: { email, password, role: 'operator' },
      });
      expect(created.statusCode, created.body).toBe(201);
      const refused = await only.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password },
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.message).toContain('sign in with SSO');
      // SSO still signs people in.
      const person = account(['factory-ops']);
      const result = await walk(only, person.login);
      expect(
        (await exchange(only, result.loopback.searchParams.get('code')!, result.verifier)).statusCode,
      ).toBe(200);
    } finally {
      await only.close();
    }
  });

  it('says SSO is not offered when it is not configured', async () => {
    const plain = await startTestApp();
    try {
      const methods = await plain.app.inject({ method: 'GET', url: '/api/v1/auth/methods' });
      expect(methods.json()).toEqual({ password: true, sso: false, webauthn: false });
      const start = await plain.app.inject({
        method: 'POST',
        url: '/api/v1/auth/oidc/start',
        payload: { return_to: LOOPBACK, code_challenge: verifierPair().challenge },
      });
      expect(start.statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
