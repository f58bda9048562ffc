/**
 * `factory-console login` against a real Factory API, as a child process without a
 * terminal (as in CI): an account with TOTP is told to give `--code` (exit 2, nothing
 * asked), a wrong code is refused (exit 1), a computed code and a recovery code sign in.
 * Neither the code nor the password is printed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../../../../server/auth/mfa/totp.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  bearer,
  listenOnLoopback,
  login,
  startTestApp,
  tempDir,
  userWithRole,
  type TestApp,
} from '../../../../server/helpers.ts';

let test: TestApp;
let url: string;
let home: string;
let account: { email: string; password: string };
let secret: string;
let recovery: string[];

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['electron/core/shells/cli/index.ts', 'login', ...args], {
      env: { ...process.env, FACTORY_CONSOLE_HOME: home, FACTORY_PASSWORD: account.password },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  test = await startTestApp();
  url = await listenOnLoopback(test.app);
  home = await tempDir('cli-login-');
  const admin = await login(test.app, ADMIN_EMAIL, DEV_PASSWORD);
  const user = await userWithRole(test.app, admin, 'operator');
  account = { email: user.user.email, password: user.password };
  const started = await test.app.inject({
    method: 'POST',
    url: '/api/v1/auth/mfa/totp',
    headers: bearer(user.access_token),
  });
  secret = (started.json() as { secret: string }).secret;
  const confirmed = await test.app.inject({
    method: 'POST',
    url: '/api/v1/auth/mfa/totp/confirm',
    headers: bearer(user.access_token),
    payload: { code: totpCode(secret) },
  });
  recovery = (confirmed.json() as { recovery_codes: string[] }).recovery_codes;
});
afterAll(async () => {
  await test.close();
  await fs.rm(home, { recursive: true, force: true });
});

describe('factory-console login with a second factor', () => {
  it('without --code and without a terminal, says to give --code (exit 2)', async () => {
    const result = await cli(['--server', url, '--email', account.email]);
    expect(result.stderr).toMatch(/second factor: give its code with --code/);
    expect(result.status).toBe(2);
  });

  it('refuses a wrong code (exit 1)', async () => {
    const result = await cli(['--server', url, '--email', account.email, '--code', '000000']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/unauthenticated/);
  });

  it('signs in with a computed TOTP code, then with a recovery code', async () => {
    // The enrolment spent this step's code: the next step's is within the allowed skew.
    const code = totpCode(secret, Date.now() + 30_000);
    const withTotp = await cli(['--server', url, '--email', account.email, '--code', code]);
    expect(withTotp.stderr).toBe('');
    expect(withTotp.stdout).toContain(`Signed in as ${account.email} (operator)`);
    expect(withTotp.status).toBe(0);
    const withRecovery = await cli([`--code=${recovery[0]!}`, '--server', url, '--email', account.email]);
    expect(withRecovery.status).toBe(0);
    for (const output of [withTotp.stdout, withRecovery.stdout]) {
      expect(output).not.toContain(code);
      expect(output).not.toContain(recovery[0]!);
      expect(output).not.toContain(account.password);
    }
  });
});
