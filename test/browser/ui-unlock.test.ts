/**
 * Activation and unlock from the UI in browser mode (Chromium, the real router):
 * sign in, activate this machine with a label, unlock `sample-model` from the
 * Resources view while watching the progress bar (bytes, rate, ETA), see it land in
 * the vault, and check the vault holds exactly the published bytes through
 * `factory-console cat` on the same console home.
 *
 * The embedded demo factory refuses machine activation (`403 demo_read_only`: a public
 * demo allows only sign-in, sign-out, refresh and unlocks), and the first test checks
 * the UI says so. The flow then runs against a writable Factory API started here with
 * the same sample data (`startFactory({ sampleData: true })`), chosen in Settings like
 * an operator would, through a loopback proxy that slows downloads to ~2 MiB/s so the
 * 3 MiB transfer outlasts several 200 ms progress reports.
 *
 * The console core keeps its activation and vault in the console home
 * (`FACTORY_CONSOLE_HOME`, electron/core/platform/console-home.ts); the harness passes this
 * process's environment to `npm start`, so a temporary home and a fixed fingerprint
 * (`FACTORY_FINGERPRINT_FILE`) are set here for the started console and the CLI alike.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_RESOURCE, sampleResourceBytes } from '../../server/demo/sample-data.ts';
import { readBootstrapPassword, startFactory, type RunningFactory } from '../../server/factory.ts';
import { startThrottleProxy, type ThrottleProxy } from './throttle-proxy.ts';
import { screenshotDir, startConsoleUnderTest, type ConsoleUnderTest } from './ui-harness.ts';

const HOME_ENV = 'FACTORY_CONSOLE_HOME';
const FINGERPRINT_ENV = 'FACTORY_FINGERPRINT_FILE';

let harness: ConsoleUnderTest;
let factory: RunningFactory;
/** The console reaches the writable factory through this proxy, slowed to ~2 MiB/s. */
let proxy: ThrottleProxy;
let page: Page;
let home: string;
/** The writable factory's first-run admin password. */
let password: string;
const saved: Record<string, string | undefined> = {};
const problems: string[] = [];

/** One observed state of the progress bar (recorded in the page on every DOM change). */
interface ProgressSample {
  text: string;
  value: number;
  max: number;
}

async function open(label: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: label, exact: true }).click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

function sampleRow() {
  return page.getByTestId('resources').locator('tbody tr', { hasText: SAMPLE_RESOURCE.name });
}

/** The State cell (after Version and Size): the state and, for a vault copy, the lease's time left. */
function stateCell() {
  return sampleRow().locator('td').nth(2);
}

async function signIn(email: string, secret: string): Promise<void> {
  await open('Sign in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(secret);
  await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
  await page.getByTestId('signed-in').waitFor({ timeout: 15_000 });
}

/**
 * Fills and submits the activation form; resolves on success (a new machine id: an
 * earlier activation's line is already on screen) or the error shown.
 */
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
  // The password field is emptied on submit; the secret stays out of the page.
  expect(await form.getByLabel('Password').inputValue()).toBe('');
  expect(await page.content()).not.toContain(secret);
}

/** A GET from a chosen local address (Linux routes all of 127/8 to loopback). */
function getFrom(localAddress: string, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { localAddress, timeout: 10_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.once('timeout', () => request.destroy(new Error('timed out')));
    request.once('error', reject);
  });
}

/** The first-run admin password a factory left in its data folder (the server's own reader). */
async function bootstrapPassword(dataDir: string): Promise<string> {
  const found = await readBootstrapPassword(dataDir);
  if (!found) throw new Error(`the factory in ${dataDir} wrote no bootstrap password`);
  return found;
}

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'ui-unlock-'));
  const fingerprint = path.join(home, 'fingerprint.json');
  await writeFile(
    fingerprint,
    JSON.stringify({ components: { cpu: 'ui-unlock cpu', memory: '16 GiB', machine_id: 'ui-unlock' } }),
  );
  for (const name of [HOME_ENV, FINGERPRINT_ENV]) saved[name] = process.env[name];
  process.env[HOME_ENV] = path.join(home, 'console-home');
  process.env[FINGERPRINT_ENV] = fingerprint;
  const factoryDir = path.join(home, 'factory');
  factory = await startFactory({ dataDir: factoryDir, tls: 'off', sampleData: true, logLevel: 'silent' });
  password = await bootstrapPassword(factoryDir);
  // On loopback 3 MiB take a few ms, less than the 200 ms between progress reports.
  proxy = await startThrottleProxy(factory.url, 2 * 1024 * 1024);
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

describe('activation and unlock from the UI (browser mode, Chromium)', () => {
  it('the embedded demo factory lets this machine activate (demo keeps the unlock path open)', async () => {
    if (!harness.adminEmail) throw new Error(`no admin printed:\n${harness.output()}`);
    const demoPassword = await harness.adminPassword();
    await signIn(harness.adminEmail, demoPassword);
    await activate('ui-unlock demo', demoPassword);
    const activationError = page.getByTestId('activation-error');
    expect(await activationError.count(), (await activationError.allTextContents()).join()).toBe(0);
    await open('Machine');
    await expect
      .poll(() => page.getByTestId('machine-activated').textContent(), { timeout: 15_000 })
      .toMatch(/^activated \(mch_\w+\)$/);
  }, 60_000);

  it('activates this machine with a label on a writable Factory API chosen in Settings', async () => {
    await open('Settings');
    await page.getByLabel(/Factory API address/).fill(proxy.url);
    await page.getByRole('button', { name: 'Check server' }).click();
    // Plain http on loopback: nothing to pin, said plainly, then one click to use it.
    const card = page.getByTestId('server-identity');
    await card.waitFor({ timeout: 15_000 });
    expect(await card.getAttribute('data-trust')).toBe('plain_http');
    await card.getByRole('button', { name: `Use ${new URL(proxy.url).origin}` }).click();
    await page.getByTestId('server-applied').waitFor({ timeout: 30_000 });
    // A fresh page: the machine is activated (on the demo factory) and nobody is signed
    // in, so the locked screen asks for that account's password only.
    await page.reload(); // a real reload (a goto that changes only the fragment would not load anew)
    await page.getByTestId('lock-screen').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('lock-email').textContent()).toBe(harness.adminEmail);
    expect(await page.getByRole('form', { name: 'Unlock the vault' }).locator('input').count()).toBe(1);
    await page.screenshot({ path: `${screenshotDir}/locked.png`, fullPage: true });
    await page.getByRole('button', { name: /Not now/ }).click();
    await page.getByTestId('mode-banner').waitFor({ timeout: 15_000 });
    expect(await page.locator('main').getAttribute('data-view')).toBe('session');
    await expect
      .poll(() => page.getByTestId('session-server').textContent(), { timeout: 15_000 })
      .toBe(proxy.url);
    await signIn(factory.adminEmail, password);
    await activate('ui-unlock bench', password);
    const activationError = page.getByTestId('activation-error');
    expect(await activationError.count(), (await activationError.allTextContents()).join()).toBe(0);

    // Signed in, the status poll reads the new server's mode (development) for the banner.
    await expect.poll(() => page.getByTestId('mode').textContent(), { timeout: 30_000 }).toBe('development');
    await open('Machine');
    await expect
      .poll(() => page.getByTestId('machine-activated').textContent(), { timeout: 15_000 })
      .toMatch(/^activated \(mch_\w+\)$/);
    await page.screenshot({ path: `${screenshotDir}/machine-activated.png`, fullPage: true });
  }, 60_000);

  it('unlocks sample-model with a moving progress bar, then shows it in the vault', async () => {
    await open('Resources');
    await expect.poll(() => sampleRow().count(), { timeout: 15_000 }).toBe(1);
    expect(await stateCell().textContent()).toBe('locked');
    expect(await sampleRow().locator('td').first().textContent()).toBe(SAMPLE_RESOURCE.version);

    // Record every state of the progress bar as React renders it: an unlock of a few
    // MiB can outrun any polling from the test process.
    await page.evaluate(() => {
      const samples: { text: string; value: number; max: number }[] = [];
      (window as unknown as { progressSamples: typeof samples }).progressSamples = samples;
      const record = (): void => {
        // The bar carries the exact bytes done and the total beside its percentage.
        const bar = document.querySelector<HTMLElement>('[data-testid="progress"]');
        if (!bar?.dataset['done'] || !bar.dataset['total']) return;
        const text = bar.textContent ?? '';
        if (samples[samples.length - 1]?.text !== text)
          samples.push({ text, value: Number(bar.dataset['done']), max: Number(bar.dataset['total']) });
      };
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
    });

    await sampleRow().getByRole('button', { name: 'Unlock', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Unlock ${SAMPLE_RESOURCE.name}` });
    await dialog.getByLabel('Password').fill(password);
    await dialog.getByRole('button', { name: 'Unlock', exact: true }).click();

    // Polled in the page on every frame: a bar part-way through, with bytes, rate and time left.
    await page.waitForFunction(
      () => {
        const meter = document.querySelector('[data-testid="progress"] [role="progressbar"]');
        const value = Number(meter?.getAttribute('aria-valuenow') ?? Number.NaN);
        const text = document.querySelector('[data-testid="progress"]')?.textContent ?? '';
        return value > 0 && value < 100 && / left$/.test(text);
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    await page.screenshot({ path: `${screenshotDir}/resources-unlocking.png`, fullPage: true });

    const outcome = sampleRow().locator('.badge', { hasText: /^unlock(ed| failed)$/ });
    await outcome.waitFor({ timeout: 60_000 });
    expect(await outcome.textContent()).toBe('unlocked');
    expect(await page.getByTestId('resources-error').count()).toBe(0);

    const samples = await page.evaluate(
      () => (window as unknown as { progressSamples: ProgressSample[] }).progressSamples,
    );
    const size = sampleResourceBytes().length;
    // Bytes, rate and time left were on screen together at least once, mid-transfer.
    const moving = samples.filter(
      (sample) =>
        /[\d.]+ (B|KiB|MiB) of [\d.]+ (KiB|MiB)/.test(sample.text) &&
        /· [\d.]+ (B|KiB|MiB|GiB)\/s/.test(sample.text) &&
        /· (\d+ min )?\d+ s left/.test(sample.text) &&
        sample.value > 0 &&
        sample.value < sample.max,
    );
    expect(moving.length, JSON.stringify(samples)).toBeGreaterThan(0);
    // The bar moved: several distinct byte counts on screen, and the total is the whole resource.
    const values = samples.map((sample) => sample.value);
    expect(new Set(values.filter((value) => value > 0)).size).toBeGreaterThan(1);
    expect(Math.max(...samples.map((sample) => sample.max))).toBeGreaterThanOrEqual(size);

    await expect
      .poll(() => stateCell().textContent(), { timeout: 15_000 })
      .toMatch(/^in vault · \d+ days? left$/);
    await page.screenshot({ path: `${screenshotDir}/resources-unlocked.png`, fullPage: true });
  }, 60_000);

  it('adds a deny rule in the Firewall view, sees it refuse a client, and deletes it after a confirmation', async () => {
    await open('Firewall');
    await page.getByTestId('firewall-rules').waitFor({ timeout: 15_000 });
    const form = page.getByRole('form', { name: 'Add a rule' });
    await form.getByLabel('Address or CIDR').fill('127.0.0.2/32');
    await form.getByLabel('Action').selectOption('deny');
    await form.getByLabel('Note').fill('ui test: refuse 127.0.0.2');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const rule = page.getByTestId('firewall-rules').locator('tbody tr', { hasText: '127.0.0.2/32' });
    await rule.waitFor({ timeout: 15_000 });

    // A client on another loopback address is now refused by the factory itself...
    const refused = await getFrom('127.0.0.2', `${factory.url}/health`);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('firewall_denied');
    expect((await getFrom('127.0.0.1', `${factory.url}/health`)).status).toBe(200);
    // ...and the view's recent blocks show the refusal (it refreshes every few seconds).
    const blocked = page.getByTestId('firewall-blocks').locator('tbody tr', { hasText: '127.0.0.2' });
    await expect.poll(() => blocked.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: `${screenshotDir}/firewall-rule-refusing.png`, fullPage: true });

    await rule.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete this rule?' })
      .getByRole('button', { name: 'Delete rule' })
      .click();
    await expect.poll(() => rule.count(), { timeout: 15_000 }).toBe(0);
    expect((await getFrom('127.0.0.2', `${factory.url}/health`)).status).toBe(200);
  }, 60_000);

  it('the vault holds exactly the published bytes (factory-console cat on the same home)', () => {
    const cli = spawnSync(
      process.execPath,
      ['electron/core/shells/cli/index.ts', 'cat', SAMPLE_RESOURCE.name],
      {
        env: { ...process.env, FACTORY_PASSWORD: password },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000,
      },
    );
    // stderr carries only the CLI's notice that the fingerprint comes from the override file.
    expect(cli.status, cli.stderr.toString()).toBe(0);
    expect(cli.stderr.toString()).not.toMatch(/error/i);
    const expected = sampleResourceBytes();
    expect(cli.stdout.length).toBe(expected.length);
    expect(cli.stdout.equals(expected)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('locked and offline: the password alone opens the vault, and an export asks for nothing more', async () => {
    await open('Sign in');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    await proxy.close(); // from here on the factory is out of reach
    await page.reload();
    await page.getByTestId('lock-screen').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('lock-email').textContent()).toBe(factory.adminEmail);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByTestId('lock-now').waitFor({ timeout: 30_000 });
    expect(await page.locator('main').getAttribute('data-view')).toBe('resources');
    expect(await page.content()).not.toContain(password);

    await expect
      .poll(() => stateCell().textContent(), { timeout: 15_000 })
      .toMatch(/^offline lease · \d+ days? left$/);
    await sampleRow()
      .getByRole('button', { name: `Export ${SAMPLE_RESOURCE.name}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Export ${SAMPLE_RESOURCE.name}` });
    expect(await dialog.getByLabel('Password').count()).toBe(0);
    const target = path.join(home, 'exported-offline.bin');
    await dialog.getByLabel(/Save to/).fill(target);
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await expect
      .poll(() => dialog.getByTestId('export-result').textContent(), { timeout: 30_000 })
      .toContain('recorded at the next online unlock');
    expect((await readFile(target)).equals(sampleResourceBytes())).toBe(true);
    await page.screenshot({ path: `${screenshotDir}/resources-offline-unlocked.png`, fullPage: true });
    await dialog
      .getByRole('form', { name: 'Export sample-model' })
      .getByRole('button', { name: 'Close' })
      .click();

    await page.getByTestId('lock-now').click();
    await page.getByTestId('lock-screen').waitFor({ timeout: 15_000 });
  }, 90_000);

  it('confirms an https server certificate on first use, then signs in over the pinned connection', async () => {
    const tlsDir = path.join(home, 'tls-factory');
    const tlsFactory = await startFactory({ dataDir: tlsDir, tls: 'on', logLevel: 'silent' });
    try {
      const expected = tlsFactory.certFingerprint256 ?? '';
      expect(expected).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      await page.getByRole('button', { name: /Not now/ }).click();
      await page.getByRole('form', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
      await page.getByLabel(/Factory API address/).fill(tlsFactory.url);
      await page.getByRole('button', { name: 'Check server' }).click();
      const card = page.getByTestId('server-identity');
      await card.waitFor({ timeout: 15_000 });
      expect(await card.getAttribute('data-trust')).toBe('new');
      expect(await page.getByTestId('presented-fingerprint').textContent()).toBe(expected);

      const trust = page.getByRole('button', { name: 'Trust this certificate and use the server' });
      await page.getByLabel(/Fingerprint you were given/).fill('AB:'.repeat(31) + 'AB');
      await page.getByTestId('fingerprint-mismatch').waitFor();
      expect(await trust.isDisabled()).toBe(true);
      await page.getByLabel(/Fingerprint you were given/).fill(expected.replace(/:/g, '').toLowerCase());
      await page.getByTestId('fingerprint-match').waitFor();
      await page.screenshot({ path: `${screenshotDir}/server-certificate-confirm.png`, fullPage: true });
      await trust.click();
      await page.getByTestId('server-applied').waitFor({ timeout: 30_000 });

      await signIn(tlsFactory.adminEmail, await bootstrapPassword(tlsDir));
      expect(await page.getByTestId('session-server').textContent()).toBe(tlsFactory.url);
      expect(problems).toEqual([]);
    } finally {
      await tlsFactory.close();
    }
  }, 90_000);
});
