/**
 * The audit view's transparency-log checks in real Chromium against the real embedded Factory
 * API (browser mode, `npm start`): the details pane shows the selected entry's inclusion proof
 * verified against the signed tree; each visit proves the log only grew since the checkpoint
 * the console remembers (seq A → B); and when the remembered checkpoint is from another history
 * the view says so loudly, naming the first inconsistent entry, and remembers nothing new.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotDir, startConsoleUnderTest, type ConsoleUnderTest } from './ui-harness.ts';

let harness: ConsoleUnderTest;
let page: Page;
let outDir: string;
const problems: string[] = [];

async function open(label: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: label, exact: true }).click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

/** The console's remembered checkpoints, in a console home of this test's own. */
const rememberFile = () => path.join(outDir, 'home', 'audit-checkpoints.json');

beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'ui-audit-tlog-'));
  // A home no other test's console writes to: the remembered file holds only this log.
  process.env.FACTORY_CONSOLE_HOME = path.join(outDir, 'home');
  harness = await startConsoleUnderTest();
  page = await harness.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(harness.url);
  await page.getByTestId('mode-banner').waitFor({ timeout: 15_000 });
  if (!harness.adminEmail) throw new Error(`no admin printed:\n${harness.output()}`);
  await open('Sign in');
  await page.getByLabel('Email').fill(harness.adminEmail);
  await page.getByLabel('Password').fill(await harness.adminPassword());
  await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
  await page.getByTestId('signed-in').waitFor({ timeout: 15_000 });
}, 120_000);

afterAll(async () => {
  await harness?.close();
  await rm(outDir, { recursive: true, force: true });
});

const consistency = () => page.getByTestId('audit-consistency');

describe('audit transparency log in the console (browser mode, Chromium)', () => {
  let firstSize = 0;

  it('remembers the signed tree on the first visit and proves the selected entry included', async () => {
    await open('Audit');
    await expect.poll(() => consistency().getAttribute('data-state'), { timeout: 15_000 }).toBe('first');
    const text = (await consistency().textContent()) ?? '';
    expect(text).toMatch(/^✓ Signed tree of size (\d+) remembered/);
    firstSize = Number(/size (\d+)/.exec(text)?.[1]);
    const remembered = JSON.parse(await readFile(rememberFile(), 'utf8')) as {
      logs: Record<string, { size: number }>;
    };
    expect(Object.values(remembered.logs).map((log) => log.size)).toEqual([firstSize]);

    const table = page.getByTestId('audit-table');
    await table.locator('[data-loaded="true"]').first().waitFor({ timeout: 15_000 });
    await table.locator('[role="row"][aria-rowindex="3"]').click();
    const details = page.getByTestId('audit-details');
    expect(await details.locator('h2').textContent()).toBe('Entry 2');
    const inclusion = details.getByTestId('audit-inclusion');
    await expect.poll(() => inclusion.getAttribute('data-state'), { timeout: 15_000 }).toBe('included');
    expect(await inclusion.textContent()).toMatch(/^Included in the signed tree of size \d+ ✓$/);
    await page.screenshot({ path: `${screenshotDir}/audit-tlog-included.png`, fullPage: true });
  });

  it('on the next visit proves the log only grew since then (seq A → B)', async () => {
    // A signed export is itself an audit entry: the log grows while the view is open.
    await page.getByTestId('export-path').fill(path.join(outDir, 'grow.jsonl'));
    await page.getByRole('button', { name: 'Save signed export' }).click();
    await page.getByTestId('signed-export-outcome').waitFor({ timeout: 15_000 });
    await open('Firewall');
    await open('Audit');
    await expect.poll(() => consistency().getAttribute('data-state'), { timeout: 15_000 }).toBe('grew');
    const text = (await consistency().textContent()) ?? '';
    const match = /^✓ The log only grew since you last looked \(seq (\d+) → (\d+)\)$/.exec(text);
    expect(match, text).not.toBeNull();
    expect(Number(match![1])).toBe(firstSize);
    expect(Number(match![2])).toBeGreaterThan(firstSize);
  });

  it('says loudly when the log is not what the console last saw, and remembers nothing new', async () => {
    // The remembered root of another history (what a forked or rewritten log looks like).
    const original = JSON.parse(await readFile(rememberFile(), 'utf8')) as {
      logs: Record<string, { size: number; root_hash: string }>;
    };
    const log = Object.values(original.logs)[0]!;
    const forkedRoot = `${log.root_hash[0] === 'f' ? 'e' : 'f'}${log.root_hash.slice(1)}`;
    log.root_hash = forkedRoot;
    const forked = `${JSON.stringify(original, null, 2)}\n`;
    await writeFile(rememberFile(), forked);
    await page.getByTestId('export-path').fill(path.join(outDir, 'grow-again.jsonl'));
    await page.getByRole('button', { name: 'Save signed export' }).click();
    await page.getByTestId('signed-export-outcome').waitFor({ timeout: 15_000 });
    await open('Firewall');
    await open('Audit');
    await expect.poll(() => consistency().getAttribute('data-state'), { timeout: 15_000 }).toBe('failed');
    expect(await consistency().getAttribute('role')).toBe('alert');
    expect(await consistency().textContent()).toMatch(
      new RegExp(
        `^✗ THE LOG IS NOT WHAT YOU LAST SAW \\(first inconsistent entry: seq ${log.size}\\): the consistency proof \\(seq ${log.size} → \\d+\\) does not verify`,
      ),
    );
    await page.screenshot({ path: `${screenshotDir}/audit-tlog-inconsistent.png`, fullPage: true });
    expect(await readFile(rememberFile(), 'utf8')).toBe(forked);
    expect(problems).toEqual([]);
  });
});
