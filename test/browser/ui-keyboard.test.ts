/**
 * The console without a mouse (Chromium, browser mode, the embedded demo factory): sign in,
 * activate this machine, unlock `sample-model` in its dialog, export it, sign out through
 * the account menu, open the locked screen's vault, cancel the Machine view's Deactivate
 * confirmation, and open an audit entry — with Tab, Shift+Tab, Enter, Space, Escape and the
 * arrow keys only (`page.keyboard`; nothing is clicked or
 * filled). Every Tab stop must have a role, an accessible name and a visible focus ring
 * (`ui-keys.ts`). Every dialog met starts on its first field, keeps Tab inside (the last
 * control wraps to the first), submits on Enter, closes on Escape and gives focus back to
 * the control that opened it. The window is 1024 × 700, where an audit entry opens in a
 * drawer (the keys are in docs/OPERATOR.md §Keyboard).
 *
 * The console home and a fixed fingerprint are set in this process's environment, which
 * the harness passes to `npm start`, as in ui-unlock.test.ts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_RESOURCE, sampleResourceBytes } from '../../server/demo/sample-data.ts';
import { startConsoleUnderTest, type ConsoleUnderTest } from './ui-harness.ts';
import { checkTrap, focusBecomes, focused, show, tabTo } from './ui-keys.ts';

const HOME_ENV = 'FACTORY_CONSOLE_HOME';
const FINGERPRINT_ENV = 'FACTORY_FINGERPRINT_FILE';

let harness: ConsoleUnderTest;
let page: Page;
let home: string;
let email: string;
let password: string;
const saved: Record<string, string | undefined> = {};
const problems: string[] = [];

/** Tabs to the nav entry `label` and opens its view with Enter. */
async function openView(label: string, heading: string | RegExp): Promise<void> {
  await tabTo(page, { name: label, role: 'button', landmark: 'nav' }, { max: 60 });
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 15_000 });
}

function sampleRow() {
  return page.getByTestId('resources').locator('tbody tr', { hasText: SAMPLE_RESOURCE.name });
}

/** The next Tab lands exactly on `name` (the order, not just reachability). */
async function nextTabIs(name: string, role?: string): Promise<void> {
  await page.keyboard.press('Tab');
  const focus = await focused(page);
  expect(show(focus)).toBe(show({ ...focus, name, role: role ?? focus.role }));
  expect(focus.ring, focus.ringStyle).toBe(true);
}

beforeAll(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'ui-keyboard-'));
  const fingerprint = path.join(home, 'fingerprint.json');
  await writeFile(
    fingerprint,
    JSON.stringify({ components: { cpu: 'ui-keyboard cpu', memory: '16 GiB', machine_id: 'ui-keyboard' } }),
  );
  for (const name of [HOME_ENV, FINGERPRINT_ENV]) saved[name] = process.env[name];
  process.env[HOME_ENV] = path.join(home, 'console-home');
  process.env[FINGERPRINT_ENV] = fingerprint;
  harness = await startConsoleUnderTest();
  if (!harness.adminEmail) throw new Error(`no admin printed:\n${harness.output()}`);
  email = harness.adminEmail;
  password = await harness.adminPassword();
  page = await harness.browser.newPage({ viewport: { width: 1024, height: 700 } });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(harness.url);
  await page.getByTestId('mode-banner').waitFor({ timeout: 15_000 });
}, 120_000);

afterAll(async () => {
  await harness?.close();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  if (home) await rm(home, { recursive: true, force: true });
});

describe('the console by keyboard only (browser mode, Chromium)', () => {
  it('signs in: Tab reaches the nav, then Email and Password in that order; Enter submits', async () => {
    expect((await focused(page)).role).toBe('body');
    await openView('Sign in', 'Sign in & activation');
    await tabTo(page, { name: 'Email', role: 'textbox' });
    await page.keyboard.type(email);
    await nextTabIs('Password', 'textbox');
    // Enter on an empty password: the form stays, with the reason under the field.
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByText('Enter the account’s password.').waitFor({ timeout: 5_000 });
    expect((await focused(page)).name).toBe('Password');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.getByTestId('signed-in').waitFor({ timeout: 15_000 });
    expect(await page.content()).not.toContain(password);
  }, 60_000);

  it('activates this machine: Machine label, then Password; Enter submits', async () => {
    await tabTo(page, { name: 'Machine label', role: 'textbox' }, { max: 60 });
    await page.keyboard.type('keyboard lab');
    await nextTabIs('Password', 'textbox');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.getByText(/This machine is activated \(mch_\w+\)/).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('activation-error').count()).toBe(0);
  }, 60_000);

  it('unlocks sample-model: the dialog starts on Password, traps Tab, Escape returns focus, Enter submits', async () => {
    await openView('Resources', 'Resources');
    await expect.poll(() => sampleRow().count(), { timeout: 15_000 }).toBe(1);
    await tabTo(page, { name: 'Unlock', role: 'button', landmark: 'main' });
    await page.keyboard.press('Enter');
    const title = `Unlock ${SAMPLE_RESOURCE.name}`;
    await page.getByRole('dialog', { name: title }).waitFor({ timeout: 5_000 });
    await focusBecomes(page, { name: 'Password', role: 'textbox' });
    const ring = await checkTrap(page, title);
    expect(ring.map((stop) => stop.name)).toEqual(expect.arrayContaining(['Cancel', 'Unlock', 'Password']));

    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: title }).waitFor({ state: 'detached', timeout: 5_000 });
    await focusBecomes(page, { name: 'Unlock', role: 'button', landmark: 'main' });

    // Enter on the focused Unlock button opens the dialog again; an empty password is refused in words.
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.waitFor({ timeout: 5_000 });
    await focusBecomes(page, { name: 'Password', role: 'textbox' });
    await page.keyboard.press('Enter');
    await dialog.getByText('Enter the password: it opens this machine’s key.').waitFor({ timeout: 5_000 });
    expect((await focused(page)).name).toBe('Password');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    await expect
      .poll(() => sampleRow().locator('td').nth(2).textContent(), { timeout: 60_000 })
      .toMatch(/^in vault · \d+ days? left$/);
    // Focus stayed on the row's Unlock button (Cancel while it ran), not thrown back to the top of the page.
    await focusBecomes(page, { name: 'Unlock', role: 'button', landmark: 'main' });
    expect(await page.content()).not.toContain(password);
  }, 90_000);

  it('exports sample-model: the dialog starts on the path, traps Tab, Enter exports, Escape returns focus', async () => {
    const exportName = `Export ${SAMPLE_RESOURCE.name}`;
    await tabTo(page, { name: exportName, role: 'button', landmark: 'main' });
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: exportName });
    await dialog.waitFor({ timeout: 5_000 });
    const pathLabel = 'Save to (absolute path on this machine)';
    await focusBecomes(page, { name: pathLabel, role: 'textbox' });
    await checkTrap(page, exportName);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    await focusBecomes(page, { name: exportName, role: 'button' });

    await page.keyboard.press('Enter');
    await dialog.waitFor({ timeout: 5_000 });
    await focusBecomes(page, { name: pathLabel, role: 'textbox' });
    // Enter with nothing typed: the path's reason under the path field, and the dialog stays.
    await page.keyboard.press('Enter');
    await dialog.getByText('Enter an absolute path for the new file.').waitFor({ timeout: 5_000 });
    const target = path.join(home, 'exported-by-keyboard.bin');
    await page.keyboard.type(target);
    if ((await dialog.getByTestId('export-vault-open').count()) === 0) {
      await nextTabIs('Password', 'textbox');
      await page.keyboard.type(password);
    }
    await page.keyboard.press('Enter');
    await expect
      .poll(() => dialog.getByTestId('export-result').textContent(), { timeout: 30_000 })
      .toMatch(/^Exported /);
    expect((await readFile(target)).equals(sampleResourceBytes())).toBe(true);
    // The form's Close button and the title bar's × are told apart by name.
    await tabTo(page, { name: 'Close', role: 'button' }, { max: 10 });
    expect((await focused(page)).dialog).toBe(exportName);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    await focusBecomes(page, { name: exportName, role: 'button' });
  }, 90_000);

  it('signs out from the account menu, then the locked screen opens the vault with the password and Enter', async () => {
    await tabTo(page, { name: /^Account menu: /, role: 'button', landmark: 'header' }, { max: 60 });
    await page.keyboard.press('Enter');
    const signOut = page.getByRole('menuitem', { name: 'Sign out' });
    await signOut.waitFor({ timeout: 5_000 });
    let focus = await focused(page);
    for (let press = 0; press < 6 && focus.name !== 'Sign out'; press += 1) {
      await page.keyboard.press('ArrowDown');
      focus = await focused(page);
    }
    expect(show(focus)).toBe(show({ ...focus, role: 'menuitem', name: 'Sign out' }));
    await page.keyboard.press('Enter');
    await page.getByTestId('header-sign-in').waitFor({ timeout: 15_000 });

    await page.reload();
    await page.getByTestId('lock-screen').waitFor({ timeout: 15_000 });
    // The screen's one field has focus at once.
    await focusBecomes(page, { name: 'Password', role: 'textbox' });
    await page.keyboard.press('Enter');
    await page.getByText('Enter the password: it opens this machine’s key.').waitFor({ timeout: 5_000 });
    // The order of the screen: Password, Unlock, Not now.
    await nextTabIs('Unlock', 'button');
    await tabTo(page, { name: 'Password', role: 'textbox' }, { back: true, max: 5 });
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.getByTestId('lock-now').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('lock-screen').count()).toBe(0);
    // The server answers, so the same password signed in too (the nav then settles on that role).
    await page.getByTestId('account-menu').waitFor({ timeout: 30_000 });
    // The vault is what was unlocked: the console shows its resources.
    await expect
      .poll(() => page.locator('main[data-view]').getAttribute('data-view'), { timeout: 10_000 })
      .toBe('resources');
    expect(await page.content()).not.toContain(password);
  }, 90_000);

  it('Machine: Space opens the Deactivate confirmation on Cancel; Escape and Enter on Cancel keep the machine', async () => {
    await openView('Machine', 'Machine');
    await expect
      .poll(() => page.getByTestId('machine-activated').textContent(), { timeout: 30_000 })
      .toMatch(/^activated \(mch_\w+\)$/);
    await tabTo(page, { name: 'Deactivate', role: 'button', landmark: 'main' });
    await page.keyboard.press('Space');
    const title = 'Deactivate this machine?';
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.waitFor({ timeout: 5_000 });
    await focusBecomes(page, { name: 'Cancel', role: 'button' });
    const ring = await checkTrap(page, title);
    expect(ring.map((stop) => stop.name)).toEqual(
      expect.arrayContaining(['Close dialog', 'Cancel', 'Deactivate machine']),
    );
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    await focusBecomes(page, { name: 'Deactivate', role: 'button' });
    await page.keyboard.press('Enter');
    await dialog.waitFor({ timeout: 5_000 });
    await focusBecomes(page, { name: 'Cancel', role: 'button' });
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    await focusBecomes(page, { name: 'Deactivate', role: 'button' });
    expect(await page.getByTestId('machine-activated').textContent()).toMatch(/^activated \(mch_\w+\)$/);
  }, 60_000);

  it('opens an audit entry: arrows move the selection, Enter opens the drawer, Escape returns to the table', async () => {
    await openView('Audit', 'Audit log');
    const grid = page.getByRole('grid', { name: 'Audit entries' });
    await grid.waitFor({ timeout: 15_000 });
    await expect
      .poll(async () => Number(await grid.getAttribute('aria-rowcount')), { timeout: 15_000 })
      .toBeGreaterThan(3);
    await tabTo(page, { name: 'Audit entries' }, { max: 40 });
    const selected = page.locator('[data-testid="audit-table"] [role="row"][aria-selected="true"]');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => selected.getAttribute('aria-rowindex'), { timeout: 5_000 }).toBe('2');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => selected.getAttribute('aria-rowindex'), { timeout: 5_000 }).toBe('4');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => selected.getAttribute('aria-rowindex'), { timeout: 5_000 }).toBe('3');
    const seq = (await selected.locator('[role="gridcell"]').first().textContent()) ?? '';
    expect(seq).toMatch(/^\d+$/);

    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog', { name: `Entry ${seq}` });
    await drawer.waitFor({ timeout: 5_000 });
    await drawer.getByTestId('audit-details').waitFor({ timeout: 5_000 });
    const inside = await focusBecomes(page, { name: /./ });
    expect(inside.dialog, show(inside)).toBe(`Entry ${seq}`);
    await checkTrap(page, `Entry ${seq}`);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached', timeout: 5_000 });
    await focusBecomes(page, { name: 'Audit entries' });
    // The selection is where it was, and the arrows go on from there.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => selected.getAttribute('aria-rowindex'), { timeout: 5_000 }).toBe('4');
    expect(problems).toEqual([]);
  }, 60_000);
});
