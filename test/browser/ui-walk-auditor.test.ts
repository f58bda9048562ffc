/**
 * The view walk signed in as an auditor (test/browser/ui-walk.ts): the nav shows exactly
 * the registry's views for the role; every view at both sizes and in both themes without
 * sideways page scrolling or serious axe-core violations; an audit entry opened in the
 * drawer (1024 px) and in the pane beside the table (1440 px), checked with axe.
 * Screenshots under test-results/screenshots/walk/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  SIZES,
  startWalk,
  THEMES,
  type Walk,
} from './ui-walk.ts';

let walk: Walk;

beforeAll(async () => {
  walk = await startWalk('auditor');
}, 90_000);

afterAll(async () => {
  await walk?.close();
});

describe('view walk, signed in as auditor (Chromium)', () => {
  it('the nav shows exactly the views an auditor may see', async () => {
    expect(await navViewIds(walk.page)).toEqual(expectedViewIds('auditor', false));
    expect(await navViewIds(walk.page)).toEqual(expect.arrayContaining(['audit', 'firewall']));
  });

  itWalksEveryView(() => walk);

  it('an audit entry in the drawer (1024 px) and in the pane (1440 px), light and dark: no serious axe violations', async () => {
    const { page } = walk;
    const problems: string[] = [];
    const firstRow = page.locator('[data-testid="audit-table"] [role="row"][data-loaded="true"]').first();
    for (const theme of THEMES) {
      await setTheme(page, theme);
      await page.setViewportSize({ width: SIZES[0].width, height: SIZES[0].height });
      await openView(page, 'audit');
      problems.push(
        ...(await checkDialog(
          walk,
          'audit-entry-drawer',
          () => firstRow.click(),
          () => page.getByRole('dialog').getByRole('button', { name: 'Close' }).click(),
          theme,
        )),
      );
      await page.setViewportSize({ width: SIZES[1].width, height: SIZES[1].height });
      await firstRow.click();
      await page.getByTestId('audit-details').locator('h2').waitFor({ timeout: 10_000 });
      const where = `auditor audit entry pane ${SIZES[1].name} ${theme}`;
      problems.push(...(await overflowProblem(page, where)), ...(await axeProblems(page, where)));
      await page.screenshot({ path: shotPath('auditor', 'audit-entry-pane', SIZES[1].name, theme) });
    }
    expect(problems).toEqual([]);
    expect(walk.pageErrors).toEqual([]);
  }, 90_000);
});
