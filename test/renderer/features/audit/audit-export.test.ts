import { describe, expect, it } from 'vitest';
import { exportEntries, maxExportEntries } from '../../../../renderer/src/features/audit/audit-export.ts';
import { createSyntheticAuditSource } from '../../../../renderer/src/features/audit/synthetic-audit.source.ts';

describe('audit export', () => {
  it('writes every filtered entry as its canonical line, reporting progress', async () => {
    const source = createSyntheticAuditSource({ count: 20_000 });
    const expected = await source.load({ type: 'agent_handoff' }, 0, 1);
    if (!expected.ok || expected.value.total === null) throw new Error('no count');
    const seen: number[] = [];
    const result = await exportEntries(
      source,
      { type: 'agent_handoff' },
      (p) => seen.push(p.done),
      () => false,
    );
    if (!result.ok) throw new Error(result.error.message);
    const lines = result.value.text.trimEnd().split('\n');
    expect(result.value.count).toBe(expected.value.total);
    expect(lines).toHaveLength(expected.value.total);
    expect(lines.every((line) => (JSON.parse(line) as { type: string }).type === 'agent_handoff')).toBe(true);
    expect(result.value.truncated).toBe(false);
    expect(seen[seen.length - 1]).toBe(expected.value.total);
    expect(seen.length).toBeGreaterThan(1);
  });

  it('stops at the cap, and on request', async () => {
    const source = createSyntheticAuditSource({ count: maxExportEntries + 1_000 });
    const capped = await exportEntries(
      source,
      {},
      () => undefined,
      () => false,
    );
    expect(capped.ok && capped.value.count).toBe(maxExportEntries);
    expect(capped.ok && capped.value.truncated).toBe(true);
    let pages = 0;
    const stopped = await exportEntries(
      source,
      {},
      () => (pages += 1),
      () => pages >= 3,
    );
    expect(stopped).toEqual({ ok: true, value: { text: '', count: 0, truncated: false, stopped: true } });
    expect(pages).toBe(3);
  });
});
