/**
 * The view walk signed out (test/browser/ui-walk.ts): every view the nav offers without
 * an account, at both sizes and in both themes, without sideways page scrolling and
 * without serious or critical axe-core violations; screenshots under
 * test-results/screenshots/walk/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedViewIds, itWalksEveryView, navViewIds, startWalk, type Walk } from './ui-walk.ts';

let walk: Walk;

beforeAll(async () => {
  walk = await startWalk('signed-out');
}, 90_000);

afterAll(async () => {
  await walk?.close();
});

describe('view walk, signed out (Chromium)', () => {
  it('the nav shows exactly the views that need no account', async () => {
    expect(await navViewIds(walk.page)).toEqual(expectedViewIds('signed-out', false));
    expect(await navViewIds(walk.page)).toEqual(['status', 'session', 'machine', 'settings']);
  });

  itWalksEveryView(() => walk);

  it('the walk raised no page errors', () => {
    expect(walk.pageErrors).toEqual([]);
  });
});
