/**
 * Single sign-on with a real browser: `factory-console login --sso` (the real CLI entry
 * point) prints the provider's URL, Chromium opens it, the person types their password
 * into the provider's own page (oidc-provider on loopback), consents, and Chromium follows
 * the redirects through the Factory API's callback to the CLI's loopback port. The
 * password is typed into the provider's page only; the CLI and the server never see it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, tempDir, type TestApp } from '../server/helpers.ts';
import { startTestIdp, type TestIdp } from '../server/auth/oidc/test-idp.ts';
import { chromiumArgs } from './ui-harness.ts';

const root = path.resolve(import.meta.dirname, '../..');
const PROVIDER_PASSWORD = 'typed into the provider page only';

let idp: TestIdp;
let harness: TestApp;
let browser: Browser;
let serverUrl: string;
let home: string;

beforeAll(async () => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  serverUrl = `http://127.0.0.1:${port}`;
  const redirectUrl = `${serverUrl}/api/v1/auth/oidc/callback`;
  idp = await startTestIdp({ redirectUris: [redirectUrl] });
  idp.accounts.set('admin-1', {
    email: 'admin-1@corp.example',
    email_verified: true,
    groups: ['factory-admins'],
  });
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
        roleMap: [{ value: 'factory-admins', role: 'admin' }],
        only: false,
      },
    },
  });
  await harness.app.listen({ host: '127.0.0.1', port });
  home = await tempDir('sso-chromium-home-');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await idp?.close();
  if (home) await fs.rm(home, { recursive: true, force: true });
});

describe('single sign-on in Chromium', () => {
  it(
    'login --sso: provider page in the browser, back to the CLI on loopback',
    { timeout: 90_000 },
    async () => {
      const child = spawn(
        process.execPath,
        [path.join(root, 'bin/factory-console.js'), 'login', '--sso', '--server', serverUrl],
        { env: { ...process.env, FACTORY_CONSOLE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let url: string | undefined;
      for (let tries = 0; tries < 300 && url === undefined; tries += 1) {
        url = /^ {2}(http\S+)$/m.exec(stdout)?.[1];
        if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(url, stderr).toBeDefined();

      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(url!);
        await page.fill('input[name="login"]', 'admin-1');
        await page.fill('input[name="password"]', PROVIDER_PASSWORD);
        await page.click('button[type="submit"]');
        // The provider's consent page, then the redirects to the server and the loopback.
        await page.waitForSelector('button[type="submit"]');
        await page.click('button[type="submit"]');
        await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
        expect(await page.textContent('h1')).toBe('Signed in');
        expect(new URL(page.url()).port).not.toBe(new URL(serverUrl).port);
      } finally {
        await context.close();
      }
      expect(await exited, stderr).toBe(0);
      expect(stdout).toContain('Signed in with single sign-on as admin-1@corp.example (admin)');
      expect(stdout + stderr).not.toContain(PROVIDER_PASSWORD);
    },
  );
});
