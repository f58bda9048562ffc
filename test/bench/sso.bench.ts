/**
 * `npm run bench -- sso`: sign-in latency, password against single sign-on, on one machine
 * with the production password hashing cost. SSO runs against a real OpenID provider
 * (oidc-provider on loopback, test/server/auth/oidc/test-idp.ts) with its login and consent
 * pages walked by HTTP, so its figure includes the provider's own pages and token endpoint:
 *
 * - password_ms: `POST /api/v1/auth/login` to the token response;
 * - sso_total_ms: the console's start to its token response (start, provider pages,
 *   callback, exchange), as a person sees it minus their typing;
 * - sso_callback_ms: the Factory API's callback (code exchange at the provider, ID token
 *   checks, nonce claim, account, one-time code); sso_exchange_ms: the console's exchange;
 * - factor_total_ms: the same account once it has TOTP: the password step (answering
 *   mfa_required) and `POST /api/v1/auth/mfa/verify` with a recovery code, to the token
 *   response; factor_step_ms: the verify alone. A recovery code stands in for the TOTP
 *   code because a TOTP code works once per 30-second step (RUNS sign-ins would take
 *   minutes); both checks are one keyed hash against the account's stored secrets.
 *
 * Medians of RUNS sign-ins of a returning person. Writes .bench/sso.json.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import * as OTPAuth from 'otpauth';
import path from 'node:path';
import { buildApp } from '../../server/app.ts';
import { defaultConfig } from '../../server/config.ts';
import { BrowserAgent, startTestIdp } from '../server/auth/oidc/test-idp.ts';
import { PASSWORD, round } from './bench-fixture.ts';

const RUNS = Number(process.env['SSO_BENCH_RUNS'] ?? 15);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const probe = net.createServer();
await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
const port = (probe.address() as net.AddressInfo).port;
await new Promise<void>((resolve) => probe.close(() => resolve()));
const base = `http://127.0.0.1:${port}`;
const redirectUrl = `${base}/api/v1/auth/oidc/callback`;
const idp = await startTestIdp({ redirectUris: [redirectUrl] });
idp.accounts.set('bench', { email: 'bench@corp.example', email_verified: true, groups: ['factory-ops'] });
const dataDir = mkdtempSync(path.join(tmpdir(), 'sso-bench-'));
const app = await buildApp({
  logger: false,
  config: defaultConfig({
    dataDir,
    port,
    tls: 'off',
    logLevel: 'silent',
    devBootstrapPassword: PASSWORD,
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
  }),
});
await app.listen({ host: '127.0.0.1', port });

const post = async (url: string, body: unknown) => {
  const response = await fetch(`${base}${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
};

async function ssoSignIn(): Promise<{ total: number; callback: number; exchange: number }> {
  const started = performance.now();
  const verifier = randomBytes(32).toString('base64url');
  const { authorization_url: url } = await post('/api/v1/auth/oidc/start', {
    return_to: 'http://127.0.0.1:50999/callback',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
  });
  const atCallback = await new BrowserAgent().signIn(String(url), 'bench', 'provider password', (at) =>
    at.href.startsWith(redirectUrl),
  );
  const callbackAt = performance.now();
  const answered = await fetch(atCallback, { redirect: 'manual' });
  const code = new URL(answered.headers.get('location')!).searchParams.get('code');
  if (!code) throw new Error(`no code: ${answered.headers.get('location')}`);
  const exchangeAt = performance.now();
  await post('/api/v1/auth/oidc/exchange', { code, code_verifier: verifier });
  const done = performance.now();
  return { total: done - started, callback: exchangeAt - callbackAt, exchange: done - exchangeAt };
}

try {
  // One of each first: the provider's discovery and keys, the account's creation.
  const admin = await post('/api/v1/auth/login', { email: 'admin@localhost', password: PASSWORD });
  // Sign-in is in the heavy rate-limit tier; the bench's few dozen sign-ins must not wait on it.
  const limits = await fetch(`${base}/api/v1/firewall/limits`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${String(admin['access_token'])}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      public: { capacity: 10_000, refill_per_s: 1_000 },
      authenticated: { capacity: 10_000, refill_per_s: 1_000 },
      heavy: { capacity: 10_000, refill_per_s: 1_000 },
    }),
  });
  if (!limits.ok) throw new Error(`limits: ${limits.status} ${await limits.text()}`);
  await ssoSignIn();
  const samples = {
    password: [] as number[],
    total: [] as number[],
    callback: [] as number[],
    exchange: [] as number[],
  };
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    await post('/api/v1/auth/login', { email: 'admin@localhost', password: PASSWORD });
    samples.password.push(performance.now() - started);
    const sso = await ssoSignIn();
    samples.total.push(sso.total);
    samples.callback.push(sso.callback);
    samples.exchange.push(sso.exchange);
  }
  // The same account with a second factor: TOTP enrolled, recovery codes renewed as used.
  const auth = (token: unknown) => ({ authorization: `Bearer ${String(token)}` });
  const signedIn = await post('/api/v1/auth/login', { email: 'admin@localhost', password: PASSWORD });
  const enrol = await fetch(`${base}/api/v1/auth/mfa/totp`, {
    method: 'POST',
    headers: auth(signedIn['access_token']),
  });
  const { secret } = (await enrol.json()) as { secret: string };
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
  const confirmed = await fetch(`${base}/api/v1/auth/mfa/totp/confirm`, {
    method: 'POST',
    headers: { ...auth(signedIn['access_token']), 'content-type': 'application/json' },
    body: JSON.stringify({ code: totp.generate() }),
  });
  if (!confirmed.ok) throw new Error(`TOTP confirm: ${confirmed.status} ${await confirmed.text()}`);
  let codes = ((await confirmed.json()) as { recovery_codes: string[] }).recovery_codes;
  const factor = { total: [] as number[], step: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const first = await post('/api/v1/auth/login', { email: 'admin@localhost', password: PASSWORD });
    if (first['mfa_required'] !== true) throw new Error('the account with TOTP was not asked for a factor');
    const stepAt = performance.now();
    const tokens = await post('/api/v1/auth/mfa/verify', {
      mfa_token: first['mfa_token'],
      method: 'recovery',
      code: codes.pop(),
    });
    const done = performance.now();
    factor.total.push(done - started);
    factor.step.push(done - stepAt);
    if (codes.length === 0) {
      const renewed = await fetch(`${base}/api/v1/auth/mfa/recovery-codes`, {
        method: 'POST',
        headers: auth(tokens['access_token']),
      });
      if (!renewed.ok) throw new Error(`recovery codes: ${renewed.status} ${await renewed.text()}`);
      codes = ((await renewed.json()) as { recovery_codes: string[] }).recovery_codes;
    }
  }
  const result = {
    runs: RUNS,
    scrypt_log2n: app.config.scryptLog2N,
    password_ms: round(median(samples.password)),
    sso_total_ms: round(median(samples.total)),
    sso_callback_ms: round(median(samples.callback)),
    sso_exchange_ms: round(median(samples.exchange)),
    factor_total_ms: round(median(factor.total)),
    factor_step_ms: round(median(factor.step)),
  };
  console.table(result);
  mkdirSync('.bench', { recursive: true });
  writeFileSync('.bench/sso.json', `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await app.close();
  await idp.close();
  rmSync(dataDir, { recursive: true, force: true });
}
