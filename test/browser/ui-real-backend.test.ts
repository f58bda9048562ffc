/**
 * The audit and firewall views on the REAL embedded Factory API (browser mode, Chromium):
 * the admin's sign-in appears as a real audit entry and the chain badge verifies; a
 * firewall change is refused by the demo server and the view says so; the recent-blocks
 * table and the 401/429 chart are shown; a signed export saved through the console
 * verifies, and after one byte is changed both the console and
 * `factory-console audit verify` name the first bad entry.
 */
import { spawnSync } from 'node:child_process';
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

beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'ui-real-backend-'));
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

describe('audit and firewall on the real backend (browser mode, Chromium)', () => {
  it('shows real entries, including this sign-in, and the chain badge verifies', async () => {
    await open('Audit');
    const table = page.getByTestId('audit-table');
    await table.locator('[data-loaded="true"]').first().waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('synthetic-label').count()).toBe(0);
    // The total comes with the first page: no "+" for a count still growing.
    await expect.poll(() => page.getByTestId('audit-count').textContent()).toMatch(/^[\d,]+ entries/);
    await expect.poll(() => table.textContent(), { timeout: 10_000 }).toContain('login_success');
    expect(await table.textContent()).toContain(harness.adminEmail ?? '');
    // The embedded demo's seeded pipeline hand-offs: details reach the summary column.
    await expect.poll(() => table.textContent(), { timeout: 10_000 }).toContain('planner → builder');
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect
      .poll(() => page.getByTestId('chain-badge').textContent(), { timeout: 15_000 })
      .toMatch(/Chain verified up to seq \d+/);
    await page.screenshot({ path: `${screenshotDir}/audit-real-verified.png`, fullPage: true });
  });

  it('shows a change refused by the demo server as a refused change', async () => {
    await open('Firewall');
    await page.getByTestId('firewall-rules').waitFor({ timeout: 15_000 });
    await page.getByLabel('Address or CIDR').fill('198.51.100.0/24');
    await page.getByLabel('Note').fill('ui test');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const refusal = page.getByTestId('firewall-refusal');
    await refusal.waitFor({ timeout: 15_000 });
    expect(await refusal.textContent()).toMatch(
      /A refused change:.*add deny 198\.51\.100\.0\/24.*demo_read_only/,
    );
    expect(await page.getByTestId('firewall-rules').textContent()).not.toContain('198.51.100.0/24');
    await page.getByTestId('firewall-blocks').waitFor({ timeout: 15_000 });
    await page
      .getByTestId('refusal-chart')
      .or(page.getByTestId('refusal-chart-empty'))
      .first()
      .waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('firewall-monitor-error').count()).toBe(0);
    await page.screenshot({ path: `${screenshotDir}/firewall-real-refusal.png`, fullPage: true });
  });

  it('draws the 401/429 chart from the sampled metrics', async () => {
    // The service samples /metrics every 5 s and the view polls it: two samples make a line.
    await page.getByTestId('refusal-chart').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('refusal-chart').locator('svg').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${screenshotDir}/firewall-real-chart.png`, fullPage: true });
  });

  it('saves a signed export; after one changed byte the console and the CLI name the first bad entry', async () => {
    await open('Audit');
    // The refused change was audited while this view was closed; coming back shows it.
    await expect
      .poll(() => page.getByTestId('audit-table').textContent(), { timeout: 10_000 })
      .toContain('demo_refusal');
    const file = path.join(outDir, 'audit-export.jsonl');
    await page.getByTestId('export-path').fill(file);
    await page.getByRole('button', { name: 'Save signed export' }).click();
    await page.getByTestId('signed-export-outcome').waitFor({ timeout: 15_000 });
    // The export is itself audited; the open view receives it through the live tail.
    await expect
      .poll(() => page.getByTestId('audit-table').textContent(), { timeout: 10_000 })
      .toContain('audit_export');
    await page.getByRole('button', { name: 'Verify file' }).click();
    await expect
      .poll(() => page.getByTestId('file-verification').textContent(), { timeout: 15_000 })
      .toMatch(/✓ .*entries verified against the signed checkpoint/);

    const lines = (await readFile(file, 'utf8')).split('\n');
    const victimIndex = 1;
    const victim = lines[victimIndex] ?? '';
    const seq = (JSON.parse(victim) as { seq: number }).seq;
    const at = victim.lastIndexOf('"') - 1; // the last hex digit of the entry's hash
    const flipped = victim[at] === '0' ? '1' : '0';
    lines[victimIndex] = victim.slice(0, at) + flipped + victim.slice(at + 1);
    const tampered = path.join(outDir, 'audit-export-tampered.jsonl');
    await writeFile(tampered, lines.join('\n'));
    expect(Buffer.byteLength(lines.join('\n'))).toBe((await readFile(file)).length);

    await page.getByTestId('export-path').fill(tampered);
    await page.getByRole('button', { name: 'Verify file' }).click();
    await expect
      .poll(() => page.getByTestId('file-verification').textContent(), { timeout: 15_000 })
      .toContain(`first bad entry is seq ${seq}`);
    await page.screenshot({ path: `${screenshotDir}/audit-real-tampered-file.png`, fullPage: true });

    const cli = spawnSync(
      process.execPath,
      [
        'electron/core/shells/cli/index.ts',
        'audit',
        'verify',
        tampered,
        '--remember',
        path.join(outDir, 'seen.json'),
      ],
      { encoding: 'utf8', env: { ...process.env, FACTORY_CONSOLE_HOME: outDir }, timeout: 60_000 },
    );
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(new RegExp(`TAMPERED or INVALID: \\w+ at seq ${seq}\\b`));
    expect(problems).toEqual([]);
  });
});
