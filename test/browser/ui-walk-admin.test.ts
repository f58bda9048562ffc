/**
 * The view walk signed in as an admin (test/browser/ui-walk.ts): the nav shows exactly the
 * registry's views for the role; every view at both sizes and in both themes without
 * sideways page scrolling or serious axe-core violations; then what an admin opens, each
 * checked with axe: the firewall's rule form with a field error, the expiry editor and
 * the delete confirmation, the authenticator set-up, and the date-time field's calendar
 * open (audit's From, the firewall's Expires). Screenshots under test-results/screenshots/walk/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeProblems,
  checkDialog,
  expectedViewIds,
  itWalksEveryView,
  navViewIds,
  openView,
  setTheme,
  shotPath,
  SIZES,
  startWalk,
  THEMES,
  type Walk,
} from './ui-walk.ts';

let walk: Walk;

beforeAll(async () => {
  walk = await startWalk('admin');
}, 90_000);

afterAll(async () => {
  await walk?.close();
});

describe('view walk, signed in as admin (Chromium)', () => {
  it('the nav shows exactly the views an admin may see: all of them but none hidden', async () => {
    expect(await navViewIds(walk.page)).toEqual(expectedViewIds('admin', false));
    expect(await navViewIds(walk.page)).toEqual(expect.arrayContaining(['audit', 'firewall', 'account']));
  });

  itWalksEveryView(() => walk);

  it('the rule form with an error, the expiry editor, the delete confirmation, the authenticator set-up, light and dark: no serious axe violations', async () => {
    const { page } = walk;
    const problems: string[] = [];
    for (const theme of THEMES) {
      await setTheme(page, theme);
      await openView(page, 'firewall');
      const form = page.getByRole('form', { name: 'Add a rule' });
      await form.getByLabel('Address or CIDR').fill('not an address');
      await form.getByRole('button', { name: 'Add rule' }).click();
      await form.locator('[aria-invalid="true"]').first().waitFor({ timeout: 10_000 });
      problems.push(...(await axeProblems(page, `admin firewall rule form with an error ${theme}`)));
      const rules = page.getByTestId('firewall-rules');
      await rules
        .getByRole('button', { name: /^Edit expiry of / })
        .first()
        .click();
      const editor = page.getByRole('form', { name: /^Expiry of / });
      await editor.waitFor({ timeout: 10_000 });
      problems.push(...(await axeProblems(page, `admin firewall expiry editor ${theme}`)));
      await editor.getByRole('button', { name: 'Cancel' }).click();
      problems.push(
        ...(await checkDialog(
          walk,
          'delete-rule',
          () =>
            rules
              .getByRole('button', { name: /^Delete/ })
              .first()
              .click(),
          () => page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click(),
          theme,
        )),
      );
      await openView(page, 'account');
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await page.getByTestId('totp-secret').waitFor({ timeout: 15_000 });
      problems.push(...(await axeProblems(page, `admin authenticator set-up ${theme}`)));
      await page.getByTestId('totp-section').getByRole('button', { name: 'Cancel' }).click();
    }
    expect(problems).toEqual([]);
    expect(walk.pageErrors).toEqual([]);
  }, 90_000);

  it("the date-time field's calendar open (audit From, firewall Expires), light and dark: no serious axe violations, Escape closes it", async () => {
    const { page } = walk;
    const problems: string[] = [];
    const fields = [
      { viewId: 'audit', label: 'From', form: 'Audit filters' },
      { viewId: 'firewall', label: 'Expires (optional, local time)', form: 'Add a rule' },
    ];
    for (const theme of THEMES) {
      await setTheme(page, theme);
      for (const { viewId, label, form } of fields) {
        await openView(page, viewId);
        const field = page.getByRole('form', { name: form }).getByLabel(label, { exact: true });
        await field.click();
        // A typed time moves the calendar to its month and marks its day.
        await field.fill('2031-05-06 07:08');
        const dropdown = page.locator('[data-dates-dropdown]');
        await dropdown.waitFor({ timeout: 5_000 });
        await expect
          .poll(() => dropdown.evaluate((node) => getComputedStyle(node).opacity), { timeout: 5_000 })
          .toBe('1');
        expect(await dropdown.locator('[data-selected]').getAttribute('aria-label')).toBe('6 May 2031');
        problems.push(...(await axeProblems(page, `admin ${viewId} ${label} calendar ${theme}`)));
        await page.screenshot({ path: shotPath('admin', `calendar-${viewId}`, SIZES[0].name, theme) });
        await page.keyboard.press('Escape');
        await dropdown.waitFor({ state: 'detached', timeout: 5_000 });
        await field.fill('');
      }
      // The range refused under To: the bar keeps its layout, and the message is readable.
      const filters = page.getByRole('form', { name: 'Audit filters' });
      await openView(page, 'audit');
      await filters.getByLabel('From', { exact: true }).fill('2031-05-07 00:00');
      await filters.getByLabel('To', { exact: true }).fill('2031-05-06 00:00');
      await page.keyboard.press('Enter');
      await filters.getByText('"To" is before "From".').waitFor({ timeout: 5_000 });
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator('[data-dates-dropdown]').count(), { timeout: 5_000 }).toBe(0);
      problems.push(...(await axeProblems(page, `admin audit filters with a range error ${theme}`)));
      await page.screenshot({ path: shotPath('admin', 'audit-range-error', SIZES[0].name, theme) });
      await filters.getByRole('button', { name: 'Clear' }).click();
    }
    expect(problems).toEqual([]);
    expect(walk.pageErrors).toEqual([]);
  }, 90_000);
});
