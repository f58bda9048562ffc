/**
 * The view walk shared by test/browser/ui-walk-*.test.ts: one sign-in state per file (so
 * the files stay short and run side by side), each with its own writable Factory API
 * (`startFactory({ sampleData: true })`), its own console in browser mode pointed at it,
 * and one Chromium page. The walk opens every view the role may see — the list comes
 * from the console's view registry (renderer/src/app/views.ts), so a new view is walked
 * without touching the tests — at 1024 × 700 and 1440 × 900, in the light and the dark
 * theme (chosen with the Settings view's own control), and on each one checks that the
 * page does not scroll sideways, runs axe-core, and saves a screenshot under
 * test-results/screenshots/walk/<state>-<view>-<size>-<theme>.png. Dialogs are checked
 * with {@link axeProblems} on the open dialog.
 */
import { AxeBuilder } from '@axe-core/playwright';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { MemorySettingsStore } from '../../electron/core/domains/settings/settings.store.ts';
import { acquireInstanceLock } from '../../electron/core/platform/instance-lock.ts';
import { startBrowserMode, type BrowserMode } from '../../electron/core/shells/browser/browser-mode.ts';
import { visibleViews, views } from '../../renderer/src/app/views.ts';
import { readBootstrapPassword, startFactory, type RunningFactory } from '../../server/factory.ts';
import { chromiumArgs, ensureProductionRenderer, screenshotDir } from './ui-harness.ts';

export type WalkState = 'signed-out' | 'viewer' | 'operator' | 'auditor' | 'admin';
export type Theme = 'light' | 'dark';

export const SIZES = [
  { name: '1024x700', width: 1024, height: 700 },
  { name: '1440x900', width: 1440, height: 900 },
] as const;
export const THEMES: readonly Theme[] = ['light', 'dark'];
export const walkDir = path.join(screenshotDir, 'walk');

/**
 * What shows that a view has its data (or its honest empty/error state), so axe and the
 * screenshot see the finished view, not a spinner. Every registry view needs an entry:
 * a new view fails {@link readySelector} until it has one.
 */
const READY: Record<string, string> = {
  status: '[data-testid="status-updated"]:not(:empty), [data-testid="status-view-error"]',
  session: '[data-testid="signed-in"], form[aria-label="Sign in"]',
  resources:
    '[data-testid="resources"], [data-testid="resources-empty"], [data-testid="resources-error"], [data-testid="resources-signed-out"]',
  audit: '[data-testid="audit-table"] [data-loaded="true"], [data-testid="audit-unavailable"]',
  firewall: '[data-testid="firewall-rules"], [data-testid="firewall-error"]',
  account: '[data-testid="sessions"], [data-testid="account-error"]',
  machine: '[data-testid="machine-activated"], [data-testid="machine-error"]',
  settings: '[data-testid="server-in-use"]',
};

export function readySelector(viewId: string): string {
  const selector = READY[viewId];
  if (!selector) throw new Error(`view "${viewId}" has no ready marker in test/browser/ui-walk.ts`);
  return selector;
}

export interface Walk {
  state: WalkState;
  page: Page;
  factory: RunningFactory;
  /** The account the page is signed in with (none signed out). */
  account: { email: string; password: string } | null;
  /** Uncaught page errors. */
  pageErrors: string[];
  close(): Promise<void>;
}

const ROLE_OF: Record<WalkState, string | null> = {
  'signed-out': null,
  viewer: 'viewer',
  operator: 'operator',
  auditor: 'auditor',
  admin: 'admin',
};

async function api(
  base: string,
  method: string,
  route: string,
  body: unknown,
  token?: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * A writable factory with the sample data, an account of the state's role created
 * through the API (and signed in on the API once, so the Account view lists another
 * session), the console pointed at it, and a page signed in through the Sign in view.
 */
export async function startWalk(state: WalkState): Promise<Walk> {
  const dir = await mkdtemp(path.join(tmpdir(), `ui-walk-${state}-`));
  const consoleDir = path.join(dir, 'console');
  const home = path.join(dir, 'home');
  const fingerprint = path.join(dir, 'fingerprint.json');
  await mkdir(walkDir, { recursive: true });
  await writeFile(
    fingerprint,
    JSON.stringify({
      components: { cpu: `walk ${state} cpu`, memory: '16 GiB', machine_id: `walk-${state}` },
    }),
  );
  // The console keeps its activation and vault in this home (restored on close).
  const saved = {
    FACTORY_CONSOLE_HOME: process.env.FACTORY_CONSOLE_HOME,
    FACTORY_FINGERPRINT_FILE: process.env.FACTORY_FINGERPRINT_FILE,
  };
  process.env.FACTORY_CONSOLE_HOME = home;
  process.env.FACTORY_FINGERPRINT_FILE = fingerprint;
  let factory: RunningFactory | undefined;
  let consoleMode: BrowserMode | undefined;
  let browser: Browser | undefined;
  async function close(): Promise<void> {
    await browser?.close();
    await consoleMode?.close();
    await factory?.close();
    await rm(dir, { recursive: true, force: true });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  try {
    await ensureProductionRenderer({ ...process.env });
    const factoryDir = path.join(dir, 'factory');
    factory = await startFactory({ dataDir: factoryDir, tls: 'off', sampleData: true, logLevel: 'silent' });
    const adminPassword = await readBootstrapPassword(factoryDir);
    if (!adminPassword) throw new Error('the factory wrote no bootstrap password');
    const role = ROLE_OF[state];
    let account: Walk['account'] = null;
    if (role) {
      const admin = await api(factory.url, 'POST', '/api/v1/auth/login', {
        email: factory.adminEmail,
        password: adminPassword,
      });
      account = { email: `walk-${role}@example.test`, password: `walk-${role}-${Date.now()}-long-password` };
      await api(factory.url, 'POST', '/api/v1/users', { ...account, role }, String(admin.access_token));
      await api(factory.url, 'POST', '/api/v1/auth/login', account);
    }
    consoleMode = await startBrowserMode({
      dataDir: consoleDir,
      staticDir: 'renderer/dist',
      version: '0.0.0-test',
      settings: new MemorySettingsStore({ serverUrl: factory.url }),
      instanceLock: await acquireInstanceLock({ folders: [consoleDir, home], shell: 'browser' }),
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    // A context of its own, as @axe-core/playwright expects of the page it is given.
    const context = await browser.newContext({
      viewport: { width: SIZES[0].width, height: SIZES[0].height },
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(consoleMode.url);
    await page.getByTestId('mode-banner').waitFor({ timeout: 20_000 });
    if (account) await signIn(page, account.email, account.password);
    return {
      state,
      page,
      factory,
      account,
      pageErrors,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function openView(page: Page, viewId: string): Promise<void> {
  const view = views.find((candidate) => candidate.id === viewId);
  if (!view) throw new Error(`no view ${viewId} in the registry`);
  await page.getByRole('navigation').getByRole('button', { name: view.label, exact: true }).click();
  await page.locator(`main[data-view="${viewId}"]`).waitFor({ timeout: 10_000 });
  await page.locator('main').locator(readySelector(viewId)).first().waitFor({ timeout: 20_000 });
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await openView(page, 'session');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('form', { name: 'Sign in' }).getByRole('button', { name: 'Sign in' }).click();
  await page
    .getByTestId('signed-in')
    .or(page.getByTestId('session-error'))
    .first()
    .waitFor({ timeout: 20_000 });
  const error = page.getByTestId('session-error');
  if ((await error.count()) > 0) throw new Error(`sign-in refused: ${await error.textContent()}`);
}

/** Chooses the theme with the Settings view's control (as an operator would) and waits for it to apply. */
export async function setTheme(page: Page, theme: Theme): Promise<void> {
  await openView(page, 'settings');
  await page.locator('.mantine-SegmentedControl-root label', { hasText: new RegExp(`^${theme}$`) }).click();
  await page.locator(`html[data-mantine-color-scheme="${theme}"]`).waitFor({ timeout: 10_000 });
}

/** The nav's entries, as view ids (by their labels in the registry). */
export async function navViewIds(page: Page): Promise<string[]> {
  const labels = await page
    .getByRole('navigation', { name: 'Console' })
    .getByRole('button')
    .allTextContents();
  return labels.map((label) => views.find((view) => view.label === label.trim())?.id ?? `?${label}`);
}

/** The views the registry says this role may see (`activated`: this machine has a vault). */
export function expectedViewIds(state: WalkState, activated: boolean): string[] {
  return visibleViews(ROLE_OF[state], activated, '').map((view) => view.id);
}

/** Serious and critical axe-core violations in the page (or inside `include`), one readable line each. */
export async function axeProblems(page: Page, where: string, include?: string): Promise<string[]> {
  // Legacy mode runs axe in the page itself; the default opens a blank helper page per run
  // to merge frame results (the console has no frames), several times slower.
  let builder = new AxeBuilder({ page: page as never }).setLegacyMode(true);
  if (include) builder = builder.include(include);
  const result = await builder.analyze();
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${where}: axe ${violation.id} (${violation.impact}) ${violation.help} — ` +
        violation.nodes
          .slice(0, 5)
          .map((node) => {
            const detail = node.any[0]?.message ?? '';
            return `${node.target.join(' ')}${detail ? ` [${detail.slice(0, 140)}]` : ''}`;
          })
          .join(' | ') +
        (violation.nodes.length > 5 ? ` | …${violation.nodes.length - 5} more` : ''),
    );
}

/** The page itself scrolls sideways (inner scroll areas do not count). */
export async function overflowProblem(page: Page, where: string): Promise<string[]> {
  const { scrollWidth, clientWidth } = await page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
  return scrollWidth <= clientWidth
    ? []
    : [`${where}: page overflows sideways (${scrollWidth} > ${clientWidth} px)`];
}

export function shotPath(state: WalkState, name: string, size: string, theme: Theme): string {
  return path.join(walkDir, `${state}-${name}-${size}-${theme}.png`);
}

/**
 * Registers the walk's two whole-view tests of one state, one per theme (each with its own
 * time budget): every view at both sizes, no sideways page scroll, no serious axe violation.
 * `walk` is read when a test runs (the file's beforeAll starts it).
 */
export function itWalksEveryView(walk: () => Walk, activated = false): void {
  for (const theme of THEMES) {
    it(`every view at 1024 × 700 and 1440 × 900 in the ${theme} theme: no page overflow, no serious axe violations`, async () => {
      const started = Date.now();
      const problems = await walkViews(walk(), theme, activated);
      console.log(`walk ${walk().state} ${theme}: ${Date.now() - started} ms`);
      expect(problems).toEqual([]);
    }, 120_000);
  }
}

/**
 * Walks every view in the nav at both sizes in one theme; returns the problems
 * (overflow, axe) found, one line each. The nav must list exactly the registry's views
 * for this role. One theme per call, so each test file runs it as two tests.
 */
export async function walkViews(walk: Walk, theme: Theme, activated = false): Promise<string[]> {
  const { page, state } = walk;
  const expected = expectedViewIds(state, activated);
  expect(await navViewIds(page)).toEqual(expected);
  const problems: string[] = [];
  await setTheme(page, theme);
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const viewId of expected) {
      await openView(page, viewId);
      const where = `${state} ${viewId} ${size.name} ${theme}`;
      problems.push(...(await overflowProblem(page, where)));
      problems.push(...(await axeProblems(page, where)));
      await page.screenshot({ path: shotPath(state, viewId, size.name, theme) });
    }
  }
  await page.setViewportSize({ width: SIZES[0].width, height: SIZES[0].height });
  return problems;
}

/**
 * Opens a dialog with `open`, waits for it, checks it (axe on the dialog, the page's
 * overflow), saves a screenshot, and closes it with `close`.
 */
export async function checkDialog(
  walk: Walk,
  name: string,
  open: () => Promise<void>,
  close: () => Promise<void>,
  theme: Theme = 'light',
): Promise<string[]> {
  const { page, state } = walk;
  await open();
  const dialog = page.getByRole('dialog').last();
  await dialog.waitFor({ timeout: 10_000 });
  // Mantine's open transition: wait until the dialog is fully shown before axe reads colours.
  await expect
    .poll(() => dialog.evaluate((node) => getComputedStyle(node).opacity), { timeout: 5_000 })
    .toBe('1');
  const where = `${state} dialog "${name}" ${theme}`;
  const problems = [...(await overflowProblem(page, where)), ...(await axeProblems(page, where))];
  await page.screenshot({
    path: shotPath(state, `dialog-${name}`, `${page.viewportSize()?.width ?? 0}`, theme),
  });
  await close();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 });
  return problems;
}
