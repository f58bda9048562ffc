import { startConsoleUnderTest } from './ui-harness.ts';
const c = await startConsoleUnderTest();
try {
  const page = await c.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (e) => console.log('pageerror', e.message));
  await page.goto(c.url);
  await page.getByRole('navigation').getByRole('button', { name: 'Audit' }).click();
  await page.getByRole('button', { name: /synthetic/ }).click();
  await page.getByRole('button', { name: 'Pause live tail' }).click();
  const body = page.getByTestId('audit-table').locator('.vt-scroller');
  await body.focus();
  let t = Date.now();
  for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowDown');
  console.log('20 arrows', Date.now() - t);
  t = Date.now();
  for (let i = 0; i < 20; i++) await page.keyboard.press('PageDown');
  console.log('20 pagedown', Date.now() - t);
  t = Date.now();
  const r = await page.evaluate(async () => {
    const el = document.querySelector('[data-testid="audit-table"] .vt-scroller')!;
    const gaps: number[] = []; let last = performance.now();
    for (let i = 0; i < 120; i++) {
      await new Promise(requestAnimationFrame);
      const now = performance.now(); gaps.push(now - last); last = now;
      el.scrollTop += 20000;
    }
    return gaps;
  });
  console.log('script scroll', Date.now() - t, r.map((x) => x.toFixed(0)).join(' '));
} finally { await c.close(); }
