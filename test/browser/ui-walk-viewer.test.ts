/**
 * The view walk signed in as a viewer (test/browser/ui-walk.ts): the nav shows exactly the
 * registry's views for the role; every view at both sizes and in both themes without
 * sideways page scrolling or serious axe-core violations; the account menu and the
 * Account view's revoke confirmation checked with axe. Screenshots under
 * test-results/screenshots/walk/.
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
  startWalk,
  THEMES,
  type Walk,
} from './ui-walk.ts';

let walk: Walk;

beforeAll(async () => {
  walk = await startWalk('viewer');
}, 90_000);

afterAll(async () => {
  await walk?.close();
});

describe('view walk, signed in as viewer (Chromium)', () => {
  it('the nav shows exactly the views a viewer may see', async () => {
    expect(await navViewIds(walk.page)).toEqual(expectedViewIds('viewer', false));
    expect(await navViewIds(walk.page)).toContain('resources');
    expect(await navViewIds(walk.page)).not.toContain('audit');
  });

  itWalksEveryView(() => walk);

  it('the account menu and the revoke confirmation, light and dark: no serious axe violations', async () => {
    const { page } = walk;
    const problems: string[] = [];
    for (const theme of THEMES) {
      await setTheme(page, theme);
      await page.getByTestId('account-menu').click();
      await page.getByRole('menu').waitFor();
      problems.push(...(await axeProblems(page, `viewer account menu ${theme}`)));
      await page.keyboard.press('Escape');
      await page.getByRole('menu').waitFor({ state: 'detached' });
      await openView(page, 'account');
      problems.push(
        ...(await checkDialog(
          walk,
          'revoke-session',
          () => page.getByTestId('sessions').getByRole('button', { name: 'Revoke' }).first().click(),
          () => page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click(),
          theme,
        )),
      );
    }
    expect(problems).toEqual([]);
    expect(walk.pageErrors).toEqual([]);
  }, 60_000);
});
