/**
 * The Firewall view without a mouse (Chromium, browser mode): a writable Factory API started
 * here (`startFactory`, the embedded demo refuses rule changes) is chosen in Settings with the
 * keyboard, then an admin signs in, adds a deny rule through the form (Tab order, Enter
 * submits; the date field is one stop whose calendar takes no focus), types an expiry in
 * the row's editor (Escape closes the calendar only, a past time is refused under the
 * field, Enter saves) and deletes the rule through its confirmation dialog: focus starts on
 * Cancel (the safe choice; the dialog has no field), Tab stays inside, Escape cancels and gives focus back to
 * the row's Delete button, Enter on **Delete rule** deletes, and focus then moves to the
 * Rules heading instead of falling to the top of the page. Keys only (`page.keyboard`), each
 * Tab stop named and ringed (`ui-keys.ts`); the keys are in docs/OPERATOR.md §Keyboard.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBootstrapPassword, startFactory, type RunningFactory } from '../../server/factory.ts';
import { screenshotDir, startConsoleUnderTest, type ConsoleUnderTest } from './ui-harness.ts';
import { checkTrap, focusBecomes, focused, show, tabTo } from './ui-keys.ts';

const HOME_ENV = 'FACTORY_CONSOLE_HOME';
const FINGERPRINT_ENV = 'FACTORY_FINGERPRINT_FILE';
const cidr = '127.0.0.9/32';

let harness: ConsoleUnderTest;
let factory: RunningFactory;
let page: Page;
let home: string;
let password: string;
const saved: Record<string, string | undefined> = {};
const problems: string[] = [];

async function openView(label: string, heading: string | RegExp): Promise<void> {
  await tabTo(page, { name: label, role: 'button', landmark: 'nav' }, { max: 60 });
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 15_000 });
}

/** The next Tab lands exactly on `name`. */
async function nextTabIs(name: string, role: string): Promise<void> {
  await page.keyboard.press('Tab');
  const focus = await focused(page);
  expect(show(focus)).toBe(show({ ...focus, name, role }));
  expect(focus.ring, focus.ringStyle).toBe(true);
}

const expiresName = 'Expires (optional, local time)';

/** The date field's calendar dropdown (one at a time: it closes when its field loses focus). */
function calendar() {
  return page.locator('[data-dates-dropdown]');
}

function ruleRow() {
  return page.getByTestId('firewall-rules').locator('tbody tr', { hasText: cidr });
}

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'ui-keyboard-firewall-'));
  const fingerprint = path.join(home, 'fingerprint.json');
  await writeFile(
    fingerprint,
    JSON.stringify({
      components: { cpu: 'ui-keyboard cpu', memory: '16 GiB', machine_id: 'ui-keyboard-fw' },
    }),
  );
  for (const name of [HOME_ENV, FINGERPRINT_ENV]) saved[name] = process.env[name];
  process.env[HOME_ENV] = path.join(home, 'console-home');
  process.env[FINGERPRINT_ENV] = fingerprint;
  const factoryDir = path.join(home, 'factory');
  factory = await startFactory({ dataDir: factoryDir, tls: 'off', sampleData: true, logLevel: 'silent' });
  const found = await readBootstrapPassword(factoryDir);
  if (!found) throw new Error('the factory wrote no bootstrap password');
  password = found;
  harness = await startConsoleUnderTest();
  page = await harness.browser.newPage({ viewport: { width: 1024, height: 700 } });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(harness.url);
  await page.getByTestId('mode-banner').waitFor({ timeout: 15_000 });
}, 120_000);

afterAll(async () => {
  await harness?.close();
  await factory?.close();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  if (home) await rm(home, { recursive: true, force: true });
});

describe('the Firewall view by keyboard only (browser mode, Chromium)', () => {
  it('chooses the server in Settings and signs in with Tab and Enter', async () => {
    await openView('Settings', /Settings/);
    await tabTo(page, { name: /^Factory API address/, role: 'textbox' });
    await page.keyboard.type(factory.url);
    await page.keyboard.press('Enter'); // the form's submit: Check server
    await page.getByTestId('server-identity').waitFor({ timeout: 15_000 });
    const origin = new URL(factory.url).origin;
    await tabTo(page, { name: `Use ${origin}`, role: 'button' }, { max: 10 });
    await page.keyboard.press('Enter');
    await page.getByTestId('server-applied').waitFor({ timeout: 30_000 });

    await openView('Sign in', 'Sign in & activation');
    await tabTo(page, { name: 'Email', role: 'textbox' });
    await page.keyboard.type(factory.adminEmail);
    await page.keyboard.press('Tab');
    expect((await focused(page)).name).toBe('Password');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.getByTestId('signed-in').waitFor({ timeout: 15_000 });
  }, 60_000);

  it('adds a deny rule: Address, Action, Expires, Note in that order; Enter adds it', async () => {
    await openView('Firewall', 'Firewall');
    await page.getByTestId('firewall-rules').waitFor({ timeout: 15_000 });
    await tabTo(page, { name: 'Address or CIDR', role: 'textbox' });
    await page.keyboard.type(cidr);
    await page.keyboard.press('Tab');
    const action = await focused(page);
    expect(show(action)).toBe(show({ ...action, role: 'combobox', name: 'Action' }));
    expect(await page.getByRole('combobox', { name: 'Action' }).inputValue()).toBe('deny');
    // The date field is one Tab stop, a text field: its calendar opens under it and takes no focus.
    await nextTabIs(expiresName, 'textbox');
    await calendar().waitFor({ timeout: 5_000 });
    await page.keyboard.press('Tab');
    await calendar().waitFor({ state: 'detached', timeout: 5_000 });
    const note = await focused(page);
    expect(show(note)).toBe(show({ ...note, name: 'Note', role: 'textbox' }));
    await page.keyboard.type('keyboard test');
    await page.keyboard.press('Enter');
    await ruleRow().waitFor({ timeout: 15_000 });
    expect(await ruleRow().textContent()).toContain('deny');
    expect(await ruleRow().textContent()).toContain('keyboard test');
  }, 60_000);

  it('edits its expiry in place: Enter opens the editor on its field, Escape and Save expiry give focus back to the row', async () => {
    const editName = `Edit expiry of ${cidr}`;
    await tabTo(page, { name: editName, role: 'button', landmark: 'main' }, { max: 60 });
    await page.keyboard.press('Enter');
    const editor = page.getByRole('form', { name: `Expiry of ${cidr}` });
    await editor.waitFor({ timeout: 5_000 });
    // The rule never expires: the date field is disabled, so focus starts on the box that says so.
    await focusBecomes(page, { name: 'Never expires', role: 'checkbox' });
    await page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached', timeout: 5_000 });
    await focusBecomes(page, { name: editName, role: 'button' });

    await page.keyboard.press('Enter');
    await editor.waitFor({ timeout: 5_000 });
    await focusBecomes(page, { name: 'Never expires', role: 'checkbox' });
    await nextTabIs('Save expiry', 'button');
    await page.keyboard.press('Enter');
    await editor.waitFor({ state: 'detached', timeout: 5_000 });
    await focusBecomes(page, { name: editName, role: 'button' });
    expect(await ruleRow().textContent()).toContain('never');
  }, 60_000);

  it('types an expiry in the editor: Escape closes only the calendar, a past time is refused under the field, Enter saves', async () => {
    const editName = `Edit expiry of ${cidr}`;
    const editor = page.getByRole('form', { name: `Expiry of ${cidr}` });
    await page.keyboard.press('Enter');
    await editor.waitFor({ timeout: 5_000 });
    await focusBecomes(page, { name: 'Never expires', role: 'checkbox' });
    await page.keyboard.press('Space'); // untick: the date field takes input again
    await page.keyboard.press('Shift+Tab');
    const field = await focused(page);
    expect(show(field)).toBe(show({ ...field, name: 'New expiry', role: 'textbox' }));
    expect(field.ring, field.ringStyle).toBe(true);
    await calendar().waitFor({ timeout: 5_000 });

    // Escape closes the calendar and nothing else; the next Escape would cancel the editor.
    await page.keyboard.press('Escape');
    await calendar().waitFor({ state: 'detached', timeout: 5_000 });
    expect(await editor.count()).toBe(1);
    expect((await focused(page)).name).toBe('New expiry');

    const input = editor.getByRole('textbox', { name: 'New expiry' });
    await page.keyboard.type('2020-01-02 03:04');
    await page.keyboard.press('Enter');
    await editor.getByText('This time has passed').waitFor({ timeout: 5_000 });
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(await input.inputValue()).toBe('2020-01-02 03:04');
    await page.screenshot({ path: `${screenshotDir}/firewall-expiry-past.png` });

    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('2031-05-06 07:08');
    await page.keyboard.press('Enter');
    await editor.waitFor({ state: 'detached', timeout: 5_000 });
    await focusBecomes(page, { name: editName, role: 'button' });
    // The page's own zone reads the typed local time; the row's <time> holds the instant.
    const expected = await page.evaluate(() => new Date(2031, 4, 6, 7, 8).toISOString());
    await expect
      .poll(() => ruleRow().locator('time').getAttribute('datetime'), { timeout: 15_000 })
      .toBe(expected);

    // Back to "never" for the steps after this one (they start from a rule without expiry).
    await page.keyboard.press('Enter');
    await editor.waitFor({ timeout: 5_000 });
    await focusBecomes(page, { name: 'New expiry', role: 'textbox' });
    expect(await input.inputValue()).toBe('2031-05-06 07:08');
    await page.keyboard.press('Escape'); // the calendar opened with the focus
    await calendar().waitFor({ state: 'detached', timeout: 5_000 });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await editor.waitFor({ state: 'detached', timeout: 5_000 });
    await expect.poll(() => ruleRow().textContent(), { timeout: 15_000 }).toContain('never');
    await focusBecomes(page, { name: editName, role: 'button' });
  }, 60_000);

  it('deletes it: the confirmation starts on Cancel, traps Tab, Escape returns focus, Enter on Delete rule deletes', async () => {
    const deleteName = `Delete ${cidr}`;
    await tabTo(page, { name: deleteName, role: 'button', landmark: 'main' }, { max: 60 });
    await page.keyboard.press('Enter');
    const title = 'Delete this rule?';
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.waitFor({ timeout: 5_000 });
    await focusBecomes(page, { name: 'Cancel', role: 'button' });
    const ring = await checkTrap(page, title);
    expect(ring.map((stop) => stop.name)).toEqual(expect.arrayContaining(['Cancel', 'Delete rule']));
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    await focusBecomes(page, { name: deleteName, role: 'button' });
    expect(await ruleRow().count()).toBe(1);

    // Enter on Cancel cancels too.
    await page.keyboard.press('Enter');
    await dialog.waitFor({ timeout: 5_000 });
    await focusBecomes(page, { name: 'Cancel', role: 'button' });
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    await focusBecomes(page, { name: deleteName, role: 'button' });

    await page.keyboard.press('Enter');
    await dialog.waitFor({ timeout: 5_000 });
    await tabTo(page, { name: 'Delete rule', role: 'button' }, { max: 3 });
    await page.keyboard.press('Enter');
    await expect.poll(() => ruleRow().count(), { timeout: 15_000 }).toBe(0);
    // The row and its button are gone: focus lands on the Rules heading, and Tab goes on to the form.
    await focusBecomes(page, { name: 'Rules', role: 'heading' });
    await page.keyboard.press('Tab');
    expect((await focused(page)).name).toBe('Address or CIDR');
    expect(problems).toEqual([]);
  }, 60_000);
});
