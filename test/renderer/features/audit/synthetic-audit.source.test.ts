import { describe, expect, it } from 'vitest';
import type { AuditFilter, AuditRow } from '../../../../renderer/src/features/audit/audit-source.ts';
import {
  createSyntheticAuditSource,
  syntheticRow,
} from '../../../../renderer/src/features/audit/synthetic-audit.source.ts';

/** The obvious, slow way: build every row and test it. The source must agree with it. */
function scan(count: number, filter: AuditFilter): AuditRow[] {
  const rows: AuditRow[] = [];
  for (let seq = 1; seq <= count; seq += 1) {
    const row = syntheticRow(seq);
    if (filter.type && row.type !== filter.type) continue;
    if (filter.actor && !(row.actor ?? '').toLowerCase().includes(filter.actor.toLowerCase())) continue;
    if (filter.search && !`${row.type} ${row.actor}`.toLowerCase().includes(filter.search.toLowerCase()))
      continue;
    if (filter.from && Date.parse(row.at) < Date.parse(filter.from)) continue;
    if (filter.to && Date.parse(row.at) > Date.parse(filter.to)) continue;
    rows.push(row);
  }
  return rows;
}

const count = 5_000;
const filters: AuditFilter[] = [
  {},
  { type: 'agent_handoff' },
  { actor: 'agent:' },
  { search: 'LOGIN' },
  { type: 'login_failure', actor: 'auditor' },
  { from: syntheticRow(1234).at, to: syntheticRow(3210).at },
  { type: 'resource_unlock', from: syntheticRow(100).at },
  { type: 'agent_handoff', actor: 'nobody' },
];

describe('synthetic audit source', () => {
  for (const filter of filters) {
    it(`pages like a full scan for ${JSON.stringify(filter)}`, async () => {
      const source = createSyntheticAuditSource({ count });
      const expected = scan(count, filter);
      const seen: number[] = [];
      for (let start = 0; start < expected.length + 1 && start < count; start += 333) {
        const page = await source.load(filter, start, 333);
        if (!page.ok) throw new Error(page.error.message);
        expect(page.value.total).toBe(expected.length);
        expect(page.value.hasMore).toBe(start + page.value.entries.length < expected.length);
        seen.push(...page.value.entries.map((row) => row.seq));
      }
      expect(seen).toEqual(expected.map((row) => row.seq));
    });
  }

  it('reaches the last of a million rows directly', async () => {
    const source = createSyntheticAuditSource({ count: 1_000_000 });
    const page = await source.load({}, 999_990, 50);
    if (!page.ok) throw new Error(page.error.message);
    expect(page.value.entries.map((row) => row.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => 999_991 + i),
    );
    expect(page.value.total).toBe(1_000_000);
    expect(page.value.hasMore).toBe(false);
  });

  it('links each entry to the previous hash and carries a canonical line', () => {
    const row = syntheticRow(42);
    expect(row.prevHash).toBe(syntheticRow(41).hash);
    expect(syntheticRow(1).prevHash).toBe('0'.repeat(64));
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    const canonical = JSON.parse(row.canonical ?? '{}') as Record<string, unknown>;
    expect(Object.keys(canonical)).toEqual([
      'seq',
      'ts',
      'type',
      'actor',
      'resource',
      'ip',
      'request_id',
      'details',
      'prev_hash',
      'hash',
    ]);
    expect(canonical.seq).toBe(42);
  });

  it('reports a tampered entry as the first bad one', async () => {
    const source = createSyntheticAuditSource({ count: 1000, tamperedSeq: 777 });
    const result = await source.verify();
    expect(result).toEqual({ ok: true, value: { intact: false, checked: 776, firstBadSeq: 777 } });
    const clean = await createSyntheticAuditSource({ count: 1000 }).verify();
    expect(clean).toEqual({ ok: true, value: { intact: true, checked: 1000, firstBadSeq: null } });
  });
});
