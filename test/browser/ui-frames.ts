/**
 * Frame timing inside the page: a requestAnimationFrame loop records the gap between
 * frames while something (keys, wheel, script) scrolls. A gap above 16.7 ms is a
 * dropped frame at 60 Hz. Shared by the UI tests and the UI benchmark.
 */
import type { Page } from 'playwright-core';

declare global {
  interface Window {
    __frames?: { gaps: number[]; running: boolean };
  }
}

export async function startFrameRecorder(page: Page): Promise<void> {
  await page.evaluate(() => {
    const record = { gaps: [] as number[], running: true };
    window.__frames = record;
    let last = performance.now();
    const tick = (now: number): void => {
      record.gaps.push(now - last);
      last = now;
      if (record.running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** Stops recording and returns the frame gaps in ms (the first, warm-up gap dropped). */
export async function stopFrameRecorder(page: Page): Promise<number[]> {
  const gaps = await page.evaluate(() => {
    const record = window.__frames;
    if (!record) return [];
    record.running = false;
    return record.gaps;
  });
  return gaps.slice(1);
}

/** The p-th percentile (0–100) of a list, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/**
 * Rows of the audit table that are inside its viewport and still placeholders: the
 * "blank rows at rest" count. Waits up to `settleMs` for loading to finish first.
 */
export async function blankRowsAtRest(page: Page, settleMs = 3000): Promise<number> {
  const deadline = Date.now() + settleMs;
  let blank = Number.POSITIVE_INFINITY;
  while (Date.now() < deadline) {
    blank = await page.evaluate(() => {
      const scroller = document.querySelector('[data-testid="audit-table"] .vt-scroller');
      if (!scroller) return -1;
      const view = scroller.getBoundingClientRect();
      let count = 0;
      let seen = 0;
      for (const row of scroller.querySelectorAll<HTMLElement>('[role="row"]')) {
        const box = row.getBoundingClientRect();
        if (box.bottom <= view.top + 1 || box.top >= view.bottom - 1) continue;
        seen += 1;
        if (row.dataset.loaded !== 'true') count += 1;
      }
      return seen === 0 ? -1 : count;
    });
    if (blank === 0) return 0;
    await page.waitForTimeout(50);
  }
  return blank;
}
