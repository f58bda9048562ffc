/**
 * The audit view at full scale in Chromium: a million (synthetic, labelled) entries
 * (`?audit=synthetic`; ui-views.test.ts covers the view on the real log's answer),
 * scrolled top to bottom by keyboard and by wheel with no blank rows at rest and the
 * frame gaps measured; filters, details with an agent hand-off, export and chain verification.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxExportEntries } from '../../renderer/src/features/audit/audit-export.ts';
import {
  createSyntheticAuditSource,
  syntheticRow,
} from '../../renderer/src/features/audit/synthetic-audit.source.ts';
import { blankRowsAtRest, percentile, startFrameRecorder, stopFrameRecorder } from './ui-frames.ts';
import { screenshotDir, startConsoleUnderTest, type ConsoleUnderTest } from './ui-harness.ts';

const million = 1_000_000;
/** Rows once the tail is paused: a million, plus any the tail added in the moment before. */
let rows = million;
let harness: ConsoleUnderTest;
let page: Page;
const problems: string[] = [];

async function lastRenderedRowIndex(): Promise<number> {
  return page.evaluate(() => {
    const rows = [
      ...document.querySelectorAll<HTMLElement>('[data-testid="audit-table"] .vt-scroller [role="row"]'),
    ];
    return Math.max(...rows.map((row) => Number(row.getAttribute('aria-rowindex'))));
  });
}

async function scrollTop(): Promise<number> {
  return page.evaluate(
    () => document.querySelector('[data-testid="audit-table"] .vt-scroller')?.scrollTop ?? -1,
  );
}

beforeAll(async () => {
  harness = await startConsoleUnderTest();
  page = await harness.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  // `?audit=synthetic`: the million-entry source, whether or not the real log is wired.
  await page.goto(harness.urlWith('audit=synthetic'));
  await page.getByRole('navigation').getByRole('button', { name: 'Audit' }).click();
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('audit view (browser mode, Chromium)', () => {
  it('shows a million synthetic entries, clearly labelled as not real', async () => {
    await page.getByTestId('synthetic-label').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('synthetic-label').textContent()).toContain('SYNTHETIC DATA');
    // Freeze the list so the tail does not move the bottom while we scroll.
    await page.getByRole('button', { name: 'Pause live tail' }).click();
    await page.getByRole('button', { name: 'Resume live tail' }).waitFor();
    const grid = page.getByRole('grid', { name: 'Audit entries' });
    rows = Number(await grid.getAttribute('aria-rowcount')) - 1;
    expect(rows).toBeGreaterThanOrEqual(million);
    expect(rows).toBeLessThan(million + 5);
    expect(await blankRowsAtRest(page)).toBe(0);
  });

  it('moves with the keyboard, shows details and an agent hand-off as from → to', async () => {
    const body = page.getByTestId('audit-table').locator('.vt-scroller');
    await body.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const expected = syntheticRow(3);
    expect(expected.type).toBe('agent_handoff');
    const selected = page.locator('[data-testid="audit-table"] [role="row"][aria-selected="true"]');
    expect(await selected.getAttribute('aria-rowindex')).toBe('4');
    expect(await page.getByTestId('audit-details').locator('h2').textContent()).toBe('Entry 3');
    expect(await page.getByTestId('handoff').textContent()).toBe(
      `${expected.details?.from} → ${expected.details?.to}`,
    );
    expect(await page.getByTestId('canonical').textContent()).toBe(expected.canonical);
    await page.screenshot({ path: `${screenshotDir}/audit.png` });
  });

  it('scrolls top to bottom by keyboard with no blank rows at rest', async () => {
    const body = page.getByTestId('audit-table').locator('.vt-scroller');
    await body.focus();
    await page.keyboard.press('Home');
    await startFrameRecorder(page);
    for (let press = 0; press < 60; press += 1) await page.keyboard.press('PageDown');
    const afterPages = await scrollTop();
    await page.keyboard.press('End');
    const gaps = await stopFrameRecorder(page);
    expect(afterPages).toBeGreaterThan(0);
    expect(await blankRowsAtRest(page)).toBe(0);
    expect(await lastRenderedRowIndex()).toBe(rows + 1);
    expect(await page.getByTestId('audit-details').locator('h2').textContent()).toBe(`Entry ${rows}`);
    expect(gaps.length).toBeGreaterThan(10);
    console.log(`keyboard: ${gaps.length} frames, p95 gap ${percentile(gaps, 95).toFixed(1)} ms`);
    await page.keyboard.press('Home');
    expect(await blankRowsAtRest(page)).toBe(0);
    expect(await scrollTop()).toBe(0);
  });

  it('scrolls top to bottom by wheel with no blank rows at rest', async () => {
    const box = await page.getByTestId('audit-table').locator('.vt-scroller').boundingBox();
    if (!box) throw new Error('the audit table has no box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const total = await page.evaluate(
      () => document.querySelector('[data-testid="audit-table"] .vt-scroller > div')?.clientHeight ?? 0,
    );
    expect(total).toBeGreaterThan(million);
    await startFrameRecorder(page);
    const started = Date.now();
    let events = 0;
    let checkedAtRest = 0;
    while ((await lastRenderedRowIndex()) < rows + 1 && events < 400 && Date.now() - started < 60_000) {
      await page.mouse.wheel(0, total / 100);
      events += 1;
      if (events % 25 === 0) {
        expect(await blankRowsAtRest(page)).toBe(0);
        checkedAtRest += 1;
      }
    }
    const gaps = await stopFrameRecorder(page);
    expect(await lastRenderedRowIndex()).toBe(rows + 1);
    expect(await blankRowsAtRest(page)).toBe(0);
    expect(checkedAtRest).toBeGreaterThan(1);
    console.log(
      `wheel: ${events} events, ${gaps.length} frames, p95 gap ${percentile(gaps, 95).toFixed(1)} ms`,
    );
  });

  it('filters by type and by text, counting like the source', async () => {
    const reference = createSyntheticAuditSource({ count: rows });
    const handoffs = await reference.load({ type: 'agent_handoff' }, 0, 1);
    if (!handoffs.ok || handoffs.value.total === null) throw new Error('reference count failed');
    await page.getByLabel('Type').selectOption('agent_handoff');
    await page.getByRole('button', { name: 'Apply' }).click();
    const grid = page.getByRole('grid', { name: 'Audit entries' });
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe(String(handoffs.value.total + 1));
    expect(await blankRowsAtRest(page)).toBe(0);
    const types = await page
      .locator('[data-testid="audit-table"] [role="row"][data-loaded="true"] [aria-colindex="3"]')
      .allTextContents();
    expect(types.length).toBeGreaterThan(5);
    expect(new Set(types)).toEqual(new Set(['agent_handoff']));
    const summaries = await page
      .locator('[data-testid="audit-table"] [role="row"][data-loaded="true"] [aria-colindex="5"]')
      .allTextContents();
    for (const summary of summaries) expect(summary).toMatch(/^\w+ → \w+$/);

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Text').fill('service:cdn');
    await page.getByRole('button', { name: 'Apply' }).click();
    const byText = await reference.load({ search: 'service:cdn' }, 0, 1);
    if (!byText.ok || byText.value.total === null) throw new Error('reference count failed');
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe(String(byText.value.total + 1));
    const actors = await page
      .locator('[data-testid="audit-table"] [role="row"][data-loaded="true"] [aria-colindex="4"]')
      .allTextContents();
    expect(new Set(actors)).toEqual(new Set(['service:cdn']));
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe(String(rows + 1));
  });

  it('exports the filtered entries as JSON lines', async () => {
    const reference = createSyntheticAuditSource({ count: rows });
    const expected = await reference.load({ type: 'demo_refusal' }, 0, 1);
    if (!expected.ok || expected.value.total === null) throw new Error('reference count failed');
    await page.getByLabel('Type').selectOption('demo_refusal');
    await page.getByRole('button', { name: 'Apply' }).click();
    const grid = page.getByRole('grid', { name: 'Audit entries' });
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe(String(expected.value.total + 1));
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      page.getByRole('button', { name: 'Export (JSON lines)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^audit-SYNTHETIC-.+\.jsonl$/);
    const file = join(harness.dataDir, 'export.jsonl');
    await download.saveAs(file);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines.length).toBe(Math.min(expected.value.total, maxExportEntries));
    expect(new Set(lines.map((line) => (JSON.parse(line) as { type: string }).type))).toEqual(
      new Set(['demo_refusal']),
    );
    expect(await page.getByTestId('export-outcome').textContent()).toContain(
      `Saved ${lines.length.toLocaleString('en')} entries`,
    );
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe(String(rows + 1));
  });

  it('verifies the (synthetic) chain and shows the badge', async () => {
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect
      .poll(() => page.getByTestId('chain-badge').textContent())
      .toContain(`verified up to seq ${rows}`);
    await page.screenshot({ path: `${screenshotDir}/audit-verified.png` });
    expect(problems).toEqual([]);
  });
});
