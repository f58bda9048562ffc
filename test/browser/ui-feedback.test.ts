/**
 * What the views say when something goes wrong or time passes, in Chromium against the
 * real console core (browser mode) and real Factory APIs: the Status view follows every
 * status poll; an error note gives way to a later action; each view says what fits it
 * (signed out, server unreachable, a wrong password) with a next step that fits the view;
 * a value the router refuses is named in words under its field; a failed unlock says why.
 *
 * The embedded demo factory serves the first part. A writable Factory API started here
 * (`startFactory`) is then chosen in Settings, reached through a loopback proxy that the
 * test closes to make the server unreachable. The console home and a fixed fingerprint
 * are set in this process's environment, which the harness passes to `npm start`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_RESOURCE } from '../../server/demo/sample-data.ts';
import { readBootstrapPassword, startFactory, type RunningFactory } from '../../server/factory.ts';
import { startThrottleProxy, type ThrottleProxy } from './throttle-proxy.ts';
import { screenshotDir, startConsoleUnderTest, type ConsoleUnderTest } from './ui-harness.ts';

const HOME_ENV = 'FACTORY_CONSOLE_HOME';
const FINGERPRINT_ENV = 'FACTORY_FINGERPRINT_FILE';

let harness: ConsoleUnderTest;
let factory: RunningFactory;
let proxy: ThrottleProxy;
let page: Page;
let home: string;
/** The writable factory's first-run admin password. */
let password: string;
const saved: Record<string, string | undefined> = {};
const problems: string[] = [];

async function open(label: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: label, exact: true }).click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

async function signIn(email: string, secret: string): Promise<void> {
  await open('Sign in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(secret);
  await page.getByRole('form', { name: 'Sign in' }).getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in').waitFor({ timeout: 15_000 });
}

/** Activates this machine (again: a new machine id) and resolves once the view says so. */
async function activate(label: string, secret: string): Promise<void> {
  await open('Sign in');
  const activated = page.getByText(/This machine is activated \(mch_\w+\)/);
  const before = (await activated.count()) > 0 ? await activated.textContent() : null;
  const form = page.getByRole('form', { name: 'Activate this machine' });
  await form.getByLabel('Machine label').fill(label);
  await form.getByLabel('Password').fill(secret);
  await form.getByRole('button', { name: 'Activate' }).click();
  const activationError = page.getByTestId('activation-error');
  await expect
    .poll(
      async () =>
        (await activationError.count()) > 0 ||
        ((await activated.count()) > 0 && (await activated.textContent()) !== before),
      { timeout: 30_000 },
    )
    .toBe(true);
  expect(await activationError.count(), (await activationError.allTextContents()).join()).toBe(0);
}

function sampleRow() {
  return page.getByTestId('resources').locator('tbody tr', { hasText: SAMPLE_RESOURCE.name });
}

/** Unlocks sample-model from the open Resources view and returns the row's failure once shown. */
async function failedUnlock(secret: string): Promise<string> {
  const failure = sampleRow().getByTestId('unlock-failure');
  const before = (await failure.count()) > 0 ? await failure.textContent() : null;
  await sampleRow().getByRole('button', { name: 'Unlock', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Unlock ${SAMPLE_RESOURCE.name}` });
  await dialog.getByLabel('Password').fill(secret);
  await dialog.getByRole('button', { name: 'Unlock', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  // This attempt's failure, not the one before (the row says why the latest unlock failed).
  await expect
    .poll(async () => ((await failure.count()) > 0 ? await failure.textContent() : null), {
      timeout: 60_000,
    })
    .not.toBe(before);
  await failure.waitFor({ timeout: 60_000 });
  return (await failure.textContent()) ?? '';
}

/** The Status view's uptime and the exact time of its last check. */
async function statusReading(): Promise<string> {
  const uptime = await page.getByTestId('status-uptime').textContent();
  const checked = await page.getByTestId('status-updated').locator('time').getAttribute('datetime');
  return `${uptime} @ ${checked}`;
}

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'ui-feedback-'));
  const fingerprint = path.join(home, 'fingerprint.json');
  await writeFile(
    fingerprint,
    JSON.stringify({ components: { cpu: 'ui-feedback cpu', memory: '16 GiB', machine_id: 'ui-feedback' } }),
  );
  for (const name of [HOME_ENV, FINGERPRINT_ENV]) saved[name] = process.env[name];
  process.env[HOME_ENV] = path.join(home, 'console-home');
  process.env[FINGERPRINT_ENV] = fingerprint;
  const factoryDir = path.join(home, 'factory');
  factory = await startFactory({ dataDir: factoryDir, tls: 'off', sampleData: true, logLevel: 'silent' });
  const found = await readBootstrapPassword(factoryDir);
  if (!found) throw new Error(`the factory in ${factoryDir} wrote no bootstrap password`);
  password = found;
  proxy = await startThrottleProxy(factory.url, 64 * 1024 * 1024);
  harness = await startConsoleUnderTest();
  page = await harness.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(harness.url);
  await page.getByTestId('mode-banner').waitFor({ timeout: 15_000 });
}, 120_000);

afterAll(async () => {
  await harness?.close();
  await proxy?.close();
  await factory?.close();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  if (home) await rm(home, { recursive: true, force: true });
});

describe('what the views say (browser mode, Chromium)', () => {
  it('Status shows a new uptime and check time after each status poll', async () => {
    await open('Status');
    await page.getByTestId('status-uptime').waitFor({ timeout: 15_000 });
    // The core polls the server every 5 s: each poll reaches the open view, three in a row.
    let before = await statusReading();
    for (let poll = 0; poll < 3; poll += 1) {
      await expect.poll(statusReading, { timeout: 8_000, interval: 250 }).not.toBe(before);
      before = await statusReading();
    }
  }, 60_000);

  it('a failed sign-in on the Sign in view says to check the credentials, not to sign in again', async () => {
    if (!harness.adminEmail) throw new Error(`no admin printed:\n${harness.output()}`);
    await open('Sign in');
    await page.getByLabel('Email').fill(harness.adminEmail);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('form', { name: 'Sign in' }).getByRole('button', { name: 'Sign in' }).click();
    const error = page.getByTestId('session-error');
    await error.waitFor({ timeout: 15_000 });
    const view = (await page.locator('main').textContent()) ?? '';
    expect(view).not.toMatch(/sign in again/i);
    expect(await error.textContent()).toMatch(/Check the email address and the password/);
  });

  it('names a refused value in words under its field, and the note goes once another change starts', async () => {
    if (!harness.adminEmail) throw new Error(`no admin printed:\n${harness.output()}`);
    const demoPassword = await harness.adminPassword();
    await signIn(harness.adminEmail, demoPassword);
    // The earlier failed sign-in's note went with this sign-in.
    expect(await page.getByTestId('session-error').count()).toBe(0);
    await open('Firewall');
    await page.getByTestId('firewall-rules').waitFor({ timeout: 15_000 });
    const form = page.getByRole('form', { name: 'Add a rule' });
    // The shape passes the form's own check; the router's schema refuses the octet.
    await form.getByLabel('Address or CIDR').fill('300.1.2.3/24');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const field = form.getByLabel('Address or CIDR');
    await expect.poll(() => field.getAttribute('aria-invalid'), { timeout: 15_000 }).toBe('true');
    const fieldError = form.locator('.mantine-TextInput-error').first();
    const said = (await fieldError.textContent()) ?? '';
    expect(said).toMatch(/^Address or CIDR: /);
    expect(said).not.toMatch(/Invalid arguments|0\.cidr|highlighted/);
    expect((await page.locator('main').textContent()) ?? '').not.toMatch(/0\.cidr|highlighted/);

    // A later change starts: the old note goes (the demo then refuses this one, said as such).
    await field.fill('198.51.100.0/24');
    await form.getByRole('button', { name: 'Add rule' }).click();
    await page.getByTestId('firewall-refusal').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('firewall-error').count()).toBe(0);
    expect(await field.getAttribute('aria-invalid')).not.toBe('true');
    await page.screenshot({ path: `${screenshotDir}/feedback-firewall.png`, fullPage: true });
  });

  it('signed out, Resources asks to sign in (with the button) rather than saying nothing is published', async () => {
    if (!harness.adminEmail) throw new Error(`no admin printed:\n${harness.output()}`);
    await activate('ui-feedback demo', await harness.adminPassword());
    await open('Sign in');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    await open('Resources');
    const empty = page.getByTestId('resources-signed-out');
    await empty.waitFor({ timeout: 15_000 });
    expect(await empty.textContent()).toContain("Sign in to see the server's resources");
    expect(await page.getByTestId('resources-empty').count()).toBe(0);
    await empty.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('main').getAttribute('data-view')).toBe('session');
  });

  it('the locked screen gives one account of a password that does not open the key', async () => {
    await page.reload();
    await page.getByTestId('lock-screen').waitFor({ timeout: 15_000 });
    try {
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Unlock', exact: true }).click();
      const error = page.getByTestId('lock-error');
      await error.waitFor({ timeout: 30_000 });
      const said = (await error.textContent()) ?? '';
      // Nothing tells a wrong password from changed hardware: the screen must not claim either alone.
      expect(said).not.toMatch(/The password is wrong/);
      expect(said).toMatch(/did not open this machine's key/);
      expect(said).toMatch(/Type the password again/);
      await page.screenshot({ path: `${screenshotDir}/feedback-locked.png`, fullPage: true });
    } finally {
      // The tests after this one start from the console behind the locked screen.
      await page.getByRole('button', { name: /Not now/ }).click();
      await page.getByTestId('mode-banner').waitFor({ timeout: 15_000 });
    }
  }, 60_000);

  it('a failed unlock says the password is wrong, then that the server is unreachable, each with what to do', async () => {
    await open('Settings');
    await page.getByLabel(/Factory API address/).fill(proxy.url);
    await page.getByRole('button', { name: 'Check server' }).click();
    const card = page.getByTestId('server-identity');
    await card.waitFor({ timeout: 15_000 });
    await card.getByRole('button', { name: `Use ${new URL(proxy.url).origin}` }).click();
    await page.getByTestId('server-applied').waitFor({ timeout: 30_000 });
    await signIn(factory.adminEmail, password);
    await activate('ui-feedback writable', password);

    await open('Resources');
    await expect.poll(() => sampleRow().count(), { timeout: 15_000 }).toBe(1);
    const wrong = await failedUnlock('not the password');
    expect(wrong).toMatch(/password/i);
    expect(wrong).toMatch(/Check the password/);
    await page.screenshot({ path: `${screenshotDir}/feedback-unlock-wrong-password.png`, fullPage: true });

    await open('Firewall');
    await page.getByTestId('firewall-rules').waitFor({ timeout: 15_000 });
    await open('Resources');
    await expect.poll(() => sampleRow().count(), { timeout: 15_000 }).toBe(1);
    await proxy.close(); // from here on the factory is out of reach
    const unreachable = await failedUnlock(password);
    expect(unreachable).toMatch(/not reachable|unreachable/i);
    expect(unreachable).toMatch(/check the address and that the server is running/i);
    expect(unreachable).not.toMatch(/password/i);
    await page.screenshot({ path: `${screenshotDir}/feedback-unlock-unreachable.png`, fullPage: true });
  }, 180_000);

  it('with the server down, Resources says so rather than "nothing is published"', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    const error = page.getByTestId('resources-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toMatch(/not reachable|unreachable/i);
    expect(await page.getByTestId('resources-empty').count()).toBe(0);
    // No list from before the outage stays on screen as if it were current.
    expect(await page.getByTestId('resources').count()).toBe(0);
  }, 60_000);

  it('Firewall with the server down says it is unreachable, not that a permission is missing', async () => {
    await open('Firewall');
    const error = page.getByTestId('firewall-error');
    await error.waitFor({ timeout: 30_000 });
    const view = (await page.locator('main').textContent()) ?? '';
    expect(view).toMatch(/not reachable|unreachable/i);
    expect(view).not.toMatch(/permission/i);
    await page.screenshot({ path: `${screenshotDir}/feedback-firewall-unreachable.png`, fullPage: true });
    expect(problems).toEqual([]);
  }, 60_000);
});
