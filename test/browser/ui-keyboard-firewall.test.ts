/**
 * The Firewall view without a mouse (Chromium, browser mode): a writable Factory API started
 * here (`startFactory`, the embedded demo refuses rule changes) is chosen in Settings with the
 * keyboard, then an admin signs in, adds a deny rule through the form (Tab order, Enter
 * submits) and deletes it through its confirmation dialog: focus starts on Cancel (the safe
 * choice; the dialog has no field), Tab stays inside, Escape cancels and gives focus back to
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
import { startConsoleUnderTest, type ConsoleUnderTest } from './ui-harness.ts';
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
    // The date field's own segments take Tab stops of their own; the Note field comes after them.
    const stops = await tabTo(page, { name: 'Note', role: 'textbox' }, { max: 10 });
    expect(stops.slice(0, -1).every((stop) => stop.name === 'Expires (optional, local time)')).toBe(true);
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
