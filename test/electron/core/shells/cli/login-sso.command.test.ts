/**
 * `factory-console login --sso` end to end, as an operator runs it: the real CLI entry
 * point (bin/) against a listening Factory API and a real OpenID provider (oidc-provider
 * on loopback). The CLI prints the URL; a browser (test-idp.ts's agent) signs in at the
 * provider, comes back through the server's callback to the CLI's loopback port, and the
 * CLI reports who signed in. The provider's password goes to the provider only.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, tempDir, type TestApp } from '../../../../server/helpers.ts';
import { BrowserAgent, startTestIdp, type TestIdp } from '../../../../server/auth/oidc/test-idp.ts';

const root = path.resolve(import.meta.dirname, '../../../../..');
const PROVIDER_PASSWORD = 'the provider password the console never sees';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let idp: TestIdp;
let harness: TestApp;
let serverUrl: string;
let home: string;

beforeAll(async () => {
  const port = await freePort();
  serverUrl = `http://127.0.0.1:${port}`;
  const redirectUrl = `${serverUrl}/api/v1/auth/oidc/callback`;
  idp = await startTestIdp({ redirectUris: [redirectUrl] });
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
  home = await tempDir('factory-console-home-');
});
afterAll(async () => {
  await harness?.close();
  await idp?.close();
  if (home) await fs.rm(home, { recursive: true, force: true });
});

function runCli(args: string[]) {
  const child = spawn(process.execPath, [path.join(root, 'bin/factory-console.js'), ...args], {
    env: { ...process.env, FACTORY_CONSOLE_HOME: home, FACTORY_PASSWORD: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    exited,
    output: () => ({ stdout, stderr }),
    async waitFor(pattern: RegExp): Promise<RegExpExecArray> {
      for (let tries = 0; tries < 300; tries += 1) {
        const match = pattern.exec(stdout);
        if (match) return match;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no ${pattern} in: ${stdout}\n${stderr}`);
    },
  };
}

describe('factory-console login --sso', () => {
  it(
    'prints the URL, waits on loopback, and signs in through the provider',
    { timeout: 60_000 },
    async () => {
      idp.accounts.set('operator-1', {
        email: 'operator-1@corp.example',
        email_verified: true,
        groups: ['factory-ops'],
      });
      const cli = runCli(['login', '--sso', '--server', serverUrl]);
      const url = (await cli.waitFor(/^ {2}(http\S+)$/m))[1]!;
      expect(url.startsWith(`${idp.issuer}/auth?`)).toBe(true);
      expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');

      // The browser: provider login, server callback, then the CLI's loopback port.
      const loopback = await new BrowserAgent().signIn(
        url,
        'operator-1',
        PROVIDER_PASSWORD,
        (at) => at.hostname === '127.0.0.1' && at.pathname === '/callback',
      );
      expect(loopback.port).not.toBe(new URL(serverUrl).port);
      expect(loopback.searchParams.get('code')).toMatch(/^sc_/);
      const page = await fetch(loopback);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('signed in');

      expect(await cli.exited, JSON.stringify(cli.output())).toBe(0);
      const { stdout } = cli.output();
      expect(stdout).toContain('Signed in with single sign-on as operator-1@corp.example (operator)');
      expect(stdout).not.toContain(PROVIDER_PASSWORD);
      expect(stdout).not.toContain(loopback.searchParams.get('code')!);
    },
  );

  it(
    'exits 1 with the reason when the provider’s person has no mapped group',
    { timeout: 60_000 },
    async () => {
      idp.accounts.set('visitor-1', {
        email: 'visitor-1@corp.example',
        email_verified: true,
        groups: ['guests'],
      });
      const cli = runCli(['login', '--sso', '--server', serverUrl]);
      const url = (await cli.waitFor(/^ {2}(http\S+)$/m))[1]!;
      const loopback = await new BrowserAgent().signIn(
        url,
        'visitor-1',
        PROVIDER_PASSWORD,
        (at) => at.hostname === '127.0.0.1' && at.pathname === '/callback',
      );
      expect(loopback.searchParams.get('error')).toBe('access_denied');
      expect((await fetch(loopback)).status).toBe(200);
      expect(await cli.exited).toBe(1);
      expect(cli.output().stderr).toContain('no_role');
    },
  );

  it('refuses to run without --sso (usage, exit 2)', async () => {
    const cli = runCli(['login']);
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toContain('--sso');
  });
});
