/**
 * Second factors in the console, in Chromium, on a real Factory API (not the demo, with
 * passkeys configured for `localhost`): an account enrols TOTP in the Account view (the
 * secret read off the page, the code computed with otpauth), sees its recovery codes once,
 * adds a passkey on the DevTools protocol's virtual authenticator, signs in again with a
 * TOTP code and with the passkey; a stale session's firewall change opens the step-up
 * prompt and goes through after a recovery code; the passkey is removed. axe-core finds
 * nothing serious in the new views, nor in the step-up prompt and the passkey removal's
 * confirmation at 1024 × 700 and 1440 × 900 in the light and the dark theme. No token reaches the page over the bridge; the secret
 * and the recovery codes only in the one answer that made them.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as OTPAuth from 'otpauth';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySettingsStore } from '../../electron/core/domains/settings/settings.store.ts';
import { startBrowserMode, type BrowserMode } from '../../electron/core/shells/browser/browser-mode.ts';
import { acquireInstanceLock } from '../../electron/core/platform/instance-lock.ts';
import {
  ADMIN_EMAIL,
  DEV_PASSWORD,
  listenOnLoopback,
  login,
  startTestApp,
  userWithRole,
  type TestApp,
} from '../server/helpers.ts';
import { startLocalhostProxy, type LocalhostProxy } from './localhost-proxy.ts';
import { chromiumArgs, ensureProductionRenderer, screenshotDir } from './ui-harness.ts';
import { SIZES, THEMES, axeProblems, overflowProblem, setTheme, walkDir, type Theme } from './ui-walk.ts';

let server: TestApp;
let consoleMode: BrowserMode;
let proxy: LocalhostProxy;
let browser: Browser;
let page: Page;
let dataDir: string;
let account: { email: string; password: string; id: string };
const problems: string[] = [];
/** Every answer of the console's bridge to the page, as `[channel, body]`. */
const answers: [string, string][] = [];

function codeAt(secret: string, offsetMs = 0): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + offsetMs });
}

async function open(label: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: label, exact: true }).click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

async function seriousAxeViolations(selector: string): Promise<string[]> {
  const result = await new AxeBuilder({ page: page as never }).include(selector).analyze();
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help}`);
}

/**
 * The open dialog at both walk sizes in one theme: no sideways page scroll, no serious
 * axe violation inside it, a screenshot each (test-results/screenshots/walk/).
 */
async function checkOpenDialogAtEverySize(name: string, theme: Theme): Promise<string[]> {
  const found: string[] = [];
  const dialog = page.getByRole('dialog').last();
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    // Mantine's open transition: axe reads colours only once the dialog is fully shown.
    await expect
      .poll(() => dialog.evaluate((node) => getComputedStyle(node).opacity), { timeout: 5_000 })
      .toBe('1');
    const where = `admin dialog "${name}" ${size.name} ${theme}`;
    found.push(...(await overflowProblem(page, where)));
    found.push(...(await axeProblems(page, where, '[role="dialog"]')));
    await page.screenshot({ path: path.join(walkDir, `admin-dialog-${name}-${size.name}-${theme}.png`) });
  }
  return found;
}

async function passwordStep(): Promise<void> {
  await open('Sign in');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
}

async function signOut(): Promise<void> {
  await open('Sign in');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in', exact: true }).last().waitFor();
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ui-second-factors-'));
  await mkdir(walkDir, { recursive: true });
  await ensureProductionRenderer({ ...process.env });
  // The proxy's port is the passkeys' origin, so it starts first (its target is set below).
  let target = '';
  proxy = await startLocalhostProxy(() => target);
  const base = await startTestApp();
  const identity = base.app.config.identity;
  await base.close();
  server = await startTestApp({
    identity: { ...identity, webauthn: { rpId: 'localhost', origins: [proxy.origin] } },
  });
  const serverUrl = await listenOnLoopback(server.app);
  const admin = await login(server.app, ADMIN_EMAIL, DEV_PASSWORD);
  const created = await userWithRole(server.app, admin, 'admin');
  account = { email: created.user.email, password: created.password, id: created.user.id };
  const home = path.join(dataDir, 'home');
  consoleMode = await startBrowserMode({
    dataDir,
    staticDir: 'renderer/dist',
    version: '0.0.0-test',
    settings: new MemorySettingsStore({ serverUrl }),
    instanceLock: await acquireInstanceLock({ folders: [dataDir, home], shell: 'browser' }),
  });
  target = consoleMode.origin;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => {
    const channel = /\/api\/call\/([\w.]+)$/.exec(new URL(response.url()).pathname)?.[1];
    if (channel) void response.text().then((body) => answers.push([channel, body]));
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await page.goto(consoleMode.url.replace(consoleMode.origin, proxy.origin));
  await passwordStep();
  await page.getByTestId('signed-in').waitFor({ timeout: 15_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await consoleMode?.close();
  await proxy?.close();
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('second factors and step-up in the console (Chromium, real Factory API)', () => {
  let secret = '';
  let recovery: string[] = [];

  it('enrols TOTP: the secret as text and a QR code, a computed code confirms it, recovery codes once', async () => {
    await open('Account');
    await page.getByTestId('totp-state').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('totp-state').textContent()).toBe('not set up');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').trim();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await page.getByTestId('totp-qr').locator('svg').count()).toBe(1);
    expect(await seriousAxeViolations('[data-view="account"]')).toEqual([]);
    await page.getByLabel('Code from the app').fill(codeAt(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    const codes = page.getByTestId('recovery-codes');
    await codes.waitFor({ timeout: 15_000 });
    recovery = await codes.locator('.recovery-code').allTextContents();
    expect(recovery).toHaveLength(10);
    expect(await page.getByTestId('totp-secret').count()).toBe(0); // the secret is gone from the page
    await page.screenshot({ path: `${screenshotDir}/account-recovery-codes.png`, fullPage: true });
    await page.getByRole('button', { name: 'I have saved them' }).click();
    expect(await page.getByTestId('recovery-codes').count()).toBe(0);
    await expect.poll(() => page.getByTestId('totp-state').textContent()).toBe('on');
  });

  it('adds a passkey on the virtual authenticator and renames it', async () => {
    await page.getByLabel('Name of the new passkey').fill('Virtual key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByTestId('passkey-row').first().waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('passkeys').textContent()).toContain('Virtual key');
    await page.getByRole('button', { name: 'Rename Virtual key' }).click();
    await page.getByLabel('New name').fill('Test authenticator');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.getByTestId('passkeys').textContent(), { timeout: 10_000 })
      .toContain('Test authenticator');
    expect(await seriousAxeViolations('[data-view="account"]')).toEqual([]);
  });

  it('signs in with the password, then a TOTP code', async () => {
    await signOut();
    await passwordStep();
    await page.getByTestId('second-factor').waitFor({ timeout: 15_000 });
    expect(await seriousAxeViolations('[data-view="session"]')).toEqual([]);
    await page.getByLabel('Authenticator code').fill('000000');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(() => page.getByTestId('second-factor').textContent(), { timeout: 10_000 })
      .toMatch(/not accepted/);
    // The enrolment spent this step's code: the next step's is within the allowed skew.
    await page.getByLabel('Authenticator code').fill(codeAt(secret, 30_000));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('signed-in').waitFor({ timeout: 15_000 });
  });

  it('signs in with the password, then the passkey', async () => {
    await signOut();
    await passwordStep();
    await page.getByTestId('second-factor').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByTestId('signed-in').waitFor({ timeout: 15_000 });
  });

  it('a stale session asks to confirm it is you (the prompt at both sizes, light and dark), then the firewall change goes through', async () => {
    await server.app.db
      .updateTable('sessions')
      .set({ auth_at: new Date(Date.now() - 10 * 60_000).toISOString() })
      .where('user_id', '=', account.id)
      .execute();
    server.app.services.sessions.forgetUser(account.id);
    const prompt = page.getByTestId('step-up');
    const found: string[] = [];
    for (const theme of THEMES) {
      await setTheme(page, theme);
      await open('Firewall');
      await page.getByTestId('firewall-rules').waitFor({ timeout: 15_000 });
      await page.getByLabel('Address or CIDR').fill('198.51.100.0/24');
      await page.getByLabel('Note').fill('step-up');
      await page.getByRole('button', { name: 'Add rule' }).click();
      await prompt.waitFor({ timeout: 15_000 });
      found.push(...(await checkOpenDialogAtEverySize('step-up', theme)));
      if (theme === 'light') {
        // Escape cancels: no rule, and the prompt comes again for the next change.
        await page.keyboard.press('Escape');
        await expect.poll(() => prompt.count(), { timeout: 15_000 }).toBe(0);
        expect(await page.getByTestId('firewall-rules').textContent()).not.toContain('198.51.100.0/24');
      }
    }
    expect(found).toEqual([]);
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(recovery[0]!);
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => prompt.count(), { timeout: 15_000 }).toBe(0);
    await expect
      .poll(() => page.getByTestId('firewall-rules').textContent(), { timeout: 15_000 })
      .toContain('198.51.100.0/24');
  });

  it('removes the passkey (the confirmation at both sizes, light and dark; Cancel keeps it)', async () => {
    const found: string[] = [];
    for (const theme of THEMES) {
      await setTheme(page, theme);
      await open('Account');
      await page.getByTestId('passkey-row').first().waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: 'Remove Test authenticator' }).click();
      found.push(...(await checkOpenDialogAtEverySize('remove-passkey', theme)));
      if (theme === 'light') {
        await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
        await page.getByRole('dialog').waitFor({ state: 'detached', timeout: 10_000 });
        expect(await page.getByTestId('passkey-row').count()).toBe(1);
      }
    }
    expect(found).toEqual([]);
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.getByTestId('passkey-row').count(), { timeout: 15_000 }).toBe(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(problems).toEqual([]);
  });

  it('no token crossed to the page; the secret and the recovery codes crossed once, in their own answers', () => {
    expect(answers.length).toBeGreaterThan(20);
    for (const [channel, body] of answers) {
      expect(body, channel).not.toMatch(/mfa_token|access_token|refresh_token|eyJ[\w-]{10,}\./);
    }
    const carrying = (text: string) => answers.filter(([, body]) => body.includes(text)).map(([c]) => c);
    expect(carrying(secret)).toEqual(['account.startTotp']);
    expect(carrying(recovery[0]!)).toEqual(['account.confirmTotp']);
  });
});
