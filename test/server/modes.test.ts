/**
 * Modes (docs/SERVER.md): public demo refuses every state change except sign-in/out and
 * refresh; production refuses to start for each listed reason, naming it, with a
 * non-zero exit — and starts (then stops gracefully on SIGTERM) once they are fixed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../server/config.ts';
import { ProdGuardError } from '../../server/prod-guard.ts';
import { startServer } from '../../server/serve.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  bearer,
  login,
  startTestApp,
  tempDir,
  testConfig,
  type TestApp,
} from './helpers.ts';

const CLI = path.resolve(import.meta.dirname, '../../server/cli.ts');

interface CliRun {
  code: number | null;
  stderr: string;
}

/** Runs `factory-api serve` with `env`; if it starts listening, sends SIGTERM. */
function serve(env: Record<string, string>, timeoutMs = 40_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', CLI, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        FACTORY_PORT: '0',
        FACTORY_LOG_LEVEL: 'warn',
        FACTORY_SCRYPT_LOG2N: '14',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not finish: ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      // Stop once it has said where it listens (and, over TLS, the fingerprint).
      if (/listening on http:|\(pin it\): \S+\n/.test(stderr)) child.kill('SIGTERM');
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('public demo mode', () => {
  let harness: TestApp;
  beforeAll(async () => {
    harness = await startTestApp({ demoReadOnly: true });
  });
  afterAll(async () => harness.close());

  it('refuses every state-changing route with 403 demo_read_only, even for the super admin', async () => {
    const admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    const changing = harness.app.routeTable.filter((route) =>
      ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method),
    );
    expect(changing.length).toBeGreaterThan(5);
    for (const route of changing) {
      const response = await harness.app.inject({
        method: route.method as 'POST',
        url: route.url.replace(/:[A-Za-z_]+/g, '0000000000000000'),
        headers: bearer(admin.access_token),
        payload: {},
      });
      if (route.demoAllowed) {
        expect(response.body, `${route.method} ${route.url}`).not.toContain('demo_read_only');
      } else {
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(403);
        expect(response.json()).toMatchObject({ error: { code: 'demo_read_only' } });
      }
    }
    // Only sign-in/out (with its second-factor and single sign-on steps), refresh and the
    // unlock family (activation, unlock, download URL, export record) stay open in a demo.
    const open = changing.filter((route) => route.demoAllowed).map((route) => route.url);
    expect(open).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/auth/refresh']),
    );
    for (const url of open) {
      expect(url).toMatch(
        /^\/api\/v1\/(auth\/(login|logout|refresh|mfa\/verify|mfa\/webauthn\/options|oidc\/(start|exchange))|resources\/:id\/(unlock|cdn-url|exports)|machines(\/:id)?)$/,
      );
    }
  });

  it('tells the UI through /me and /status', async () => {
    const admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
    const me = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: bearer(admin.access_token),
    });
    expect(me.json()).toMatchObject({ public_demo: true });
    const status = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/status',
      headers: bearer(admin.access_token),
    });
    expect(status.json()).toMatchObject({ mode: 'demo', public_demo: true });
  });
});

describe('production guard', () => {
  let weakDir: string;
  let goodDir: string;
  let freshDir: string;

  beforeAll(async () => {
    [weakDir, goodDir, freshDir] = await Promise.all([tempDir(), tempDir(), tempDir()]);
    for (const [dir, password] of [
      [weakDir, 'password1234'],
      [goodDir, 'a long and unguessable passphrase'],
    ] as const) {
      const harness = await startTestApp({}, { dataDir: dir });
      const admin = await login(harness.app, ADMIN_EMAIL, DEV_PASSWORD);
      const changed = await harness.app.inject({
        method: 'POST',
        url: '/api/v1/auth/change-password',
        headers: bearer(admin.access_token),
        payload: { current_password: DEV_PASSWORD, new_password: password },
      });
      expect(changed.statusCode).toBe(204);
      await harness.close();
    }
  });
  afterAll(async () => {
    await Promise.all(
      [weakDir, goodDir, freshDir].map((dir) => fs.rm(dir, { recursive: true, force: true })),
    );
  });

  const prod = (dataDir: string, extra: Partial<ServerConfig> = {}) =>
    testConfig(dataDir, { prod: true, tls: 'on', devBootstrapPassword: undefined, ...extra });

  it('refuses to start for each reason, naming it', async () => {
    const cases: Array<[() => ServerConfig, RegExp]> = [
      [() => prod(goodDir, { debug: true }), /FACTORY_DEBUG is on/],
      [() => prod(goodDir, { demoReadOnly: true }), /demo and production are mutually exclusive/],
      [() => prod(goodDir, { tls: 'off' }), /FACTORY_TLS=off/],
      [() => prod(goodDir, { tls: 'proxy' }), /FACTORY_TRUSTED_PROXIES/],
      [() => prod(goodDir, { debug: true, corsOrigins: ['*'] }), /FACTORY_CORS_ORIGINS is \*/],
      [
        () => prod(goodDir, { devBootstrapPassword: 'dev password 123' }),
        /FACTORY_DEV_BOOTSTRAP_PASSWORD is set/,
      ],
      [() => prod(freshDir), /admin@localhost still uses the bootstrap password/],
      [() => prod(weakDir), /admin@localhost has a known weak password/],
    ];
    for (const [config, reason] of cases) {
      const refusal = await startServer({ config: config(), logger: false }).then(
        async (server) => {
          await server.close();
          return undefined;
        },
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(ProdGuardError);
      expect((refusal as ProdGuardError).message).toMatch(reason);
    }
  });

  it('the CLI exits non-zero with the reason, and starts (then stops on SIGTERM) once all are fixed', async () => {
    const cases: Array<[Record<string, string>, RegExp, number]> = [
      [{ FACTORY_PROD: '1', FACTORY_DATA_DIR: goodDir, FACTORY_DEBUG: '1' }, /FACTORY_DEBUG is on/, 3],
      [{ FACTORY_PROD: '1', FACTORY_DATA_DIR: weakDir }, /admin@localhost has a known weak password/, 3],
      [{ FACTORY_DATA_DIR: goodDir, FACTORY_PORT: 'eighty' }, /FACTORY_PORT/, 2],
    ];
    const runs = await Promise.all(cases.map(([env]) => serve(env)));
    runs.forEach((run, index) => {
      expect(run.code, run.stderr).toBe(cases[index]![2]);
      expect(run.stderr).toMatch(cases[index]![1]);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
    const good = await serve({ FACTORY_PROD: '1', FACTORY_DATA_DIR: goodDir });
    expect(good.stderr).toMatch(/Factory API listening on https:\/\/127\.0\.0\.1:\d+/);
    expect(good.stderr).toMatch(/fingerprint \(pin it\): ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(good.code).toBe(0);
  }, 90_000);
});
