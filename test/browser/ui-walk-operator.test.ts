/**
 * The view walk signed in as an operator (test/browser/ui-walk.ts): this machine is
 * activated first (the Sign in view's form), so the views show a vault; then every view
 * the role may see at both sizes and in both themes without sideways page scrolling or
 * serious axe-core violations; then the dialogs an operator meets, each checked with
 * axe: unlock (also with its empty-password message), export, deactivate, the account
 * menu, and the locked screen after signing out. Screenshots under
 * test-results/screenshots/walk/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_RESOURCE } from '../../server/demo/sample-data.ts';
import {
  axeProblems,
  checkDialog,
  expectedViewIds,
  itWalksEveryView,
  navViewIds,
  openView,
  overflowProblem,
  setTheme,
  shotPath,
  startWalk,
  THEMES,
  type Walk,
} from './ui-walk.ts';

let walk: Walk;

beforeAll(async () => {
  walk = await startWalk('operator');
}, 90_000);

afterAll(async () => {
  await walk?.close();
});

function sampleRow() {
  return walk.page.getByTestId('resources').locator('tbody tr', { hasText: SAMPLE_RESOURCE.name });
}

describe('view walk, signed in as operator (Chromium)', () => {
  it('activates this machine; the nav shows exactly the views an operator may see', async () => {
    const { page } = walk;
    await openView(page, 'session');
    const form = page.getByRole('form', { name: 'Activate this machine' });
    await form.getByLabel('Machine label').fill('walk operator');
    await form.getByLabel('Password').fill(walk.account?.password ?? '');
    await form.getByRole('button', { name: 'Activate' }).click();
    await page
      .getByText(/This machine is activated \(mch_\w+\)/)
      .or(page.getByTestId('activation-error'))
      .first()
      .waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('activation-error').allTextContents()).toEqual([]);
    expect(await navViewIds(page)).toEqual(expectedViewIds('operator', true));
    expect(await navViewIds(page)).not.toContain('audit');
  }, 60_000);

  itWalksEveryView(() => walk, true);

  it('unlock, export, deactivate, the account menu, light and dark, and the locked screen: no serious axe violations', async () => {
    const { page } = walk;
    const problems: string[] = [];
    const dialog = page.getByRole('dialog');
    // Unlock for real first, so the export dialog opens on a vault copy.
    await openView(page, 'resources');
    await sampleRow().getByRole('button', { name: 'Unlock' }).click();
    await dialog.getByLabel('Password').fill(walk.account?.password ?? '');
    await dialog.getByRole('button', { name: 'Unlock' }).click();
    const exportButton = sampleRow().getByRole('button', { name: `Export ${SAMPLE_RESOURCE.name}` });
    await exportButton.waitFor({ timeout: 30_000 });
    for (const theme of THEMES) {
      await setTheme(page, theme);
      await openView(page, 'resources');
      problems.push(
        ...(await checkDialog(
          walk,
          'unlock-empty-password',
          async () => {
            await sampleRow().getByRole('button', { name: 'Unlock' }).click();
            await dialog.getByRole('button', { name: 'Unlock' }).click();
            await dialog.locator('[aria-invalid="true"]').waitFor();
          },
          () => dialog.getByRole('button', { name: 'Cancel' }).click(),
          theme,
        )),
        ...(await checkDialog(
          walk,
          'export',
          () => exportButton.click(),
          () => dialog.getByRole('button', { name: 'Cancel' }).click(),
          theme,
        )),
      );
      await openView(page, 'machine');
      problems.push(
        ...(await checkDialog(
          walk,
          'deactivate',
          () => page.getByRole('button', { name: 'Deactivate' }).click(),
          () => dialog.getByRole('button', { name: 'Cancel' }).click(),
          theme,
        )),
      );
      await page.getByTestId('account-menu').click();
      await page.getByRole('menu').waitFor();
      problems.push(...(await axeProblems(page, `operator account menu ${theme}`)));
      await page.keyboard.press('Escape');
      await page.getByRole('menu').waitFor({ state: 'detached' });
    }
    await page.getByTestId('account-menu').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByTestId('header-sign-in').waitFor({ timeout: 15_000 });
    // Signed out with a locked vault, a fresh page shows the locked screen (dark is still chosen).
    for (const theme of ['dark', 'light'] as const) {
      if (theme === 'light') {
        await page.getByRole('button', { name: /Not now/ }).click();
        await setTheme(page, 'light');
      }
      await page.reload();
      await page.getByTestId('lock-screen').waitFor({ timeout: 20_000 });
      await page.locator(`html[data-mantine-color-scheme="${theme}"]`).waitFor();
      const where = `operator lock screen ${theme}`;
      problems.push(...(await overflowProblem(page, where)), ...(await axeProblems(page, where)));
      await page.screenshot({ path: shotPath('operator', 'lock-screen', '1024x700', theme) });
    }
    expect(problems).toEqual([]);
    expect(walk.pageErrors).toEqual([]);
  }, 120_000);
});
