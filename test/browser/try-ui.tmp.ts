import { startConsoleUnderTest } from './ui-harness.ts';
const c = await startConsoleUnderTest();
try {
  const page = await c.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(c.url);
  await page.getByRole('navigation').getByRole('button', { name: 'Audit' }).click();
  await page.getByRole('button', { name: /synthetic/ }).click();
  await page.getByRole('button', { name: 'Pause live tail' }).click();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const m0 = (await cdp.send('Performance.getMetrics')).metrics;
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  const r = await page.evaluate(async () => {
    const el = document.querySelector('[data-testid="audit-table"] .vt-scroller')!;
    const step = (el.scrollHeight - el.clientHeight) / 600;
    const gaps: number[] = []; let last = performance.now();
    for (let i = 1; i <= 600; i++) {
      await new Promise(requestAnimationFrame);
      const now = performance.now(); gaps.push(now - last); last = now;
      el.scrollTop = Math.round(step * i);
    }
    return gaps;
  });
  const { profile } = await cdp.send('Profiler.stop') as any;
  const m1 = (await cdp.send('Performance.getMetrics')).metrics;
  const d = (n: string) => (m1.find((m) => m.name === n)!.value - m0.find((m) => m.name === n)!.value);
  console.log('TaskDuration', d('TaskDuration'), 'ThreadTime', m1.some(m=>m.name==='ThreadTime') ? d('ThreadTime') : 'n/a', 'ScriptDuration', d('ScriptDuration'), 'Layout', d('LayoutDuration'), 'Recalc', d('RecalcStyleDuration'));
  const self = new Map<string, number>();
  const dt = profile.timeDeltas as number[];
  const byId = new Map(profile.nodes.map((n: any) => [n.id, n]));
  profile.samples.forEach((id: number, i: number) => {
    const n: any = byId.get(id); const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const sorted = [...r].sort((a,b)=>a-b);
  console.log('p50', sorted[300].toFixed(1), 'p95', sorted[570].toFixed(1));
  console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, v]) => `${v.toFixed(0)}ms ${k}`).join('\n'));
} finally { await c.close(); }
