/**
 * Every view of the console in Chromium against the real router and the real embedded
 * Factory API (browser mode): sign in with the bootstrap admin, each view's honest
 * state, the undismissable demo banner on every view, the dark theme, and a screenshot
 * of each under test-results/screenshots/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotDir, startConsoleUnderTest, type ConsoleUnderTest } from './ui-harness.ts';

let harness: ConsoleUnderTest;
let page: Page;
const problems: string[] = [];

async function open(label: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: label, exact: true }).click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

/** The theme switch's segment (a visually hidden radio with its visible label). */
function themeButton(theme: 'light' | 'dark') {
  return page.locator('.mantine-SegmentedControl-root label', { hasText: new RegExp(`^${theme}$`) });
}

beforeAll(async () => {
  harness = await startConsoleUnderTest();
  page = await harness.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(harness.url);
  await page.getByTestId('mode-banner').waitFor({ timeout: 15_000 });
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('console views (browser mode, Chromium)', () => {
  it('shows the demo strip on every view, saying what a demo refuses; signed out, the nav offers what needs no account', async () => {
    const labels = (await page.getByRole('navigation').getByRole('button').allTextContents()).map((text) =>
      text.trim(),
    );
    expect(labels).toEqual(['Status', 'Sign in', 'Machine', 'Settings']);
    for (const label of labels) {
      await open(label);
      const banner = page.getByTestId('mode-banner');
      expect(await banner.count()).toBe(1);
      expect(await page.getByTestId('mode').textContent()).toBe('demo');
      expect(await banner.locator('button').count()).toBe(0);
    }
    expect(await page.getByTestId('mode-banner').textContent()).toContain('Demo mode');
    await open('Status');
    expect(await page.getByTestId('posture').locator('tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${screenshotDir}/status.png`, fullPage: true });
  });

  it('signs in as the embedded factory admin; the password leaves no trace in the page', async () => {
    if (!harness.adminEmail) throw new Error(`no admin printed:\n${harness.output()}`);
    const password = await harness.adminPassword();
    await open('Sign in');
    await page.getByLabel('Email').fill(harness.adminEmail);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('form', { name: 'Sign in' }).getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in').or(page.getByTestId('session-error')).waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('session-error').count()).toBe(0);
    expect(await page.getByTestId('signed-in').textContent()).toContain(harness.adminEmail);
    expect(await page.content()).not.toContain(password);
    const stored = await page.evaluate(() =>
      JSON.stringify({ ...window.sessionStorage, ...window.localStorage }),
    );
    expect(stored).not.toContain(password);
    await page.screenshot({ path: `${screenshotDir}/sign-in.png`, fullPage: true });
  });

  it('shows each view with real data from the embedded factory', async () => {
    for (const [label, dataId, errorId, file] of [
      ['Resources', 'resources', 'resources-error', 'resources'],
      ['Firewall', 'firewall-rules', 'firewall-error', 'firewall'],
      ['Machine', 'machine-activated', 'machine-error', 'machine'],
    ] as const) {
      await open(label);
      const data = page.getByTestId(dataId);
      const error = page.getByTestId(errorId);
      await data.or(error).first().waitFor({ timeout: 20_000 });
      // Every service is wired: an error here is a failure, shown with what it said.
      expect(await error.count(), `${label}: ${(await error.allTextContents()).join()}`).toBe(0);
      expect(await data.count()).toBe(1);
      await page.screenshot({ path: `${screenshotDir}/${file}.png`, fullPage: true });
    }
    await open('Audit');
    await page.getByTestId('audit-table').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('audit-unavailable').count()).toBe(0);
    expect(await page.getByTestId('synthetic-label').count()).toBe(0);
    await page.screenshot({ path: `${screenshotDir}/audit-real-log.png`, fullPage: true });
  }, 120_000);

  it('switches to the dark theme and back, and the setting sticks', async () => {
    await open('Settings');
    await themeButton('dark').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme ?? null)).toBe('dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(15, 20, 25)');
    await page.screenshot({ path: `${screenshotDir}/settings-dark.png`, fullPage: true });
    await open('Audit');
    const synthetic = page.getByRole('button', { name: /synthetic entries/ });
    if ((await synthetic.count()) > 0) await synthetic.click();
    await page.getByTestId('audit-table').locator('[data-loaded="true"]').first().waitFor();
    await page.screenshot({ path: `${screenshotDir}/audit-dark.png`, fullPage: true });
    await page.reload();
    await page.getByTestId('mode-banner').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme ?? null)).toBe('dark');
    await open('Settings');
    await themeButton('light').click();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.dataset.theme ?? null))
      .toBe('light');
    await page.screenshot({ path: `${screenshotDir}/settings.png`, fullPage: true });
  });

  it('can be driven by keyboard alone: Tab to the nav, Enter opens a view', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    let reached = false;
    for (let press = 0; press < 15 && !reached; press += 1) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.textContent === 'Machine');
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.locator('main').getAttribute('data-view')).toBe('machine');
    expect(problems).toEqual([]);
  });
});
