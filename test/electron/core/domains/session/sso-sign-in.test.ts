/**
 * `session.signInMethods`, `session.startSso` and `session.completeSso` through the
 * console core's router, against a listening Factory API and a real OpenID provider: on
 * the desktop the injected opener gets the provider's URL (the system browser — here the
 * test's browser agent); in browser mode nothing opens it and the view is told to. The
 * browser comes back to the core's own loopback port; the core never handles the
 * provider's password.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionState, SsoStart } from '../../../../../shared/common/contract/bridge.ts';
import { withIdentityTables } from '../../../../../server/auth/mfa/mfa.tables.ts';
import { startCore } from '../../core-fixture.ts';
import { startTestApp, tempDir, type TestApp } from '../../../../server/helpers.ts';
import { totpCode } from '../../../../../server/auth/mfa/totp.ts';
import type { Identity } from '../../../../../server/auth/mfa/identity.ts';
import { BrowserAgent, startTestIdp, type TestIdp } from '../../../../server/auth/oidc/test-idp.ts';

const page = { transport: 'electron', url: 'app://console/index.html' } as const;
let idp: TestIdp;
let harness: TestApp;
let serverUrl: string;
const homes: string[] = [];

beforeAll(async () => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  serverUrl = `http://127.0.0.1:${port}`;
  const redirectUrl = `${serverUrl}/api/v1/auth/oidc/callback`;
  idp = await startTestIdp({ redirectUris: [redirectUrl] });
  idp.accounts.set('ops-1', { email: 'ops-1@corp.example', email_verified: true, groups: ['factory-ops'] });
  harness = await startTestApp({
    identity: {
      mfaRequiredRoles: [],
      webauthn: undefined,
      oidc: {
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        redirectUrl,
        roleClaim: 'groups',
        roleMap: [{ value: 'factory-ops', role: 'operator' }],
        only: false,
      },
    },
  });
  await harness.app.listen({ host: '127.0.0.1', port });
});
afterAll(async () => {
  await harness?.close();
  await idp?.close();
  for (const home of homes) await fs.rm(home, { recursive: true, force: true });
});

const browser = (url: string) =>
  new BrowserAgent()
    .signIn(
      url,
      'ops-1',
      'provider password',
      (at) => at.hostname === '127.0.0.1' && at.pathname === '/callback',
    )
    .then((loopback) => fetch(loopback));

async function core(openSignInUrl?: (url: string) => Promise<void>) {
  const home = await tempDir('sso-core-');
  homes.push(home);
  return startCore({ serverUrl, home, ...(openSignInUrl ? { openSignInUrl } : {}) });
}

describe('session: single sign-on from the console core', () => {
  it('desktop: the opener gets the URL, the loopback receives the code, the session is pushed', async () => {
    let opened: Promise<Response> | undefined;
    const fixture = await core(async (url) => {
      opened = browser(url);
    });
    try {
      const methods = await fixture.core.router.handle('session.signInMethods', [], page);
      expect(methods).toEqual({ ok: true, value: { password: true, sso: true } });
      const started = await fixture.core.router.handle('session.startSso', [], page);
      expect(started.ok).toBe(true);
      const value = (started as { value: SsoStart }).value;
      expect(value.opened).toBe(true);
      expect(value.authorizationUrl.startsWith(`${idp.issuer}/auth?`)).toBe(true);
      const done = await fixture.core.router.handle('session.completeSso', [], page);
      expect(done).toMatchObject({
        ok: true,
        value: { signedIn: true, email: 'ops-1@corp.example', role: 'operator' },
      });
      expect((await opened)!.status).toBe(200);
      expect(fixture.payloadsOf<SessionState>('session.onChange').at(-1)).toMatchObject({ signedIn: true });
    } finally {
      await fixture.close();
    }
  });

  it('browser mode: nothing opens the URL here, the view opens it in a new tab', async () => {
    const fixture = await core();
    try {
      const started = (await fixture.core.router.handle('session.startSso', [], page)) as { value: SsoStart };
      expect(started.value.opened).toBe(false);
      const completing = fixture.core.router.handle('session.completeSso', [], page);
      expect((await browser(started.value.authorizationUrl)).status).toBe(200);
      expect(await completing).toMatchObject({ ok: true, value: { signedIn: true, role: 'operator' } });
    } finally {
      await fixture.close();
    }
  });

  it('the loopback listens on 127.0.0.1 only for its own state: other requests change nothing', async () => {
    const fixture = await core();
    try {
      const started = (await fixture.core.router.handle('session.startSso', [], page)) as { value: SsoStart };
      const row = await withIdentityTables(harness.app.db)
        .selectFrom('oidc_logins')
        .select('return_to')
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      const loopback = new URL(row.return_to!);
      expect(loopback.hostname).toBe('127.0.0.1');
      // Another program guessing at the port: a forged refusal or code without the state is ignored.
      for (const query of ['?error=access_denied', '?code=sc_forged&state=wrong', '?code=sc_forged']) {
        expect((await fetch(`${loopback.origin}${loopback.pathname}${query}`)).status).toBe(404);
      }
      const completing = fixture.core.router.handle('session.completeSso', [], page);
      expect((await browser(started.value.authorizationUrl)).status).toBe(200);
      expect(await completing).toMatchObject({ ok: true, value: { signedIn: true } });
      // Done: the port is closed again.
      await expect(fetch(loopback)).rejects.toThrow();
    } finally {
      await fixture.close();
    }
  });

  it('completeSso without a started sign-on is a conflict, not a hang', async () => {
    const fixture = await core();
    try {
      expect(await fixture.core.router.handle('session.completeSso', [], page)).toMatchObject({
        ok: false,
        error: { code: 'conflict' },
      });
    } finally {
      await fixture.close();
    }
  });

  it('an account with a second factor: single sign-on ends in the factor step, and a code signs in', async () => {
    // ops-1 exists since the first sign-on; it gets TOTP through the server's own service.
    const user = await harness.app.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'ops-1@corp.example')
      .executeTakeFirstOrThrow();
    const { mfa } = (harness.app as unknown as { identity: Identity }).identity;
    const started = await mfa.startTotp(user.id, 'ops-1@corp.example');
    if (started === 'already_enrolled') throw new Error('ops-1 already has TOTP');
    expect(await mfa.confirmTotp(user.id, totpCode(started.secret))).toBeTruthy();
    const fixture = await core();
    try {
      const sso = (await fixture.core.router.handle('session.startSso', [], page)) as { value: SsoStart };
      const completing = fixture.core.router.handle('session.completeSso', [], page);
      expect((await browser(sso.value.authorizationUrl)).status).toBe(200);
      expect(await completing).toMatchObject({
        ok: true,
        value: { signedIn: false, secondFactor: { methods: ['totp', 'recovery'] } },
      });
      const code = totpCode(started.secret, Date.now() + 30_000);
      expect(
        await fixture.core.router.handle('session.verifyFactor', [{ method: 'totp', code }], page),
      ).toMatchObject({ ok: true, value: { signedIn: true, email: 'ops-1@corp.example', role: 'operator' } });
    } finally {
      await fixture.close();
    }
  });
});
