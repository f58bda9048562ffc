import { describe, expect, it } from 'vitest';
import type { AuditEntrySummary } from '../../../../shared/common/contract/bridge.ts';
import type { AuditPageInput } from '../../../../shared/common/contract/inputs.ts';
import { createBridgeAuditSource } from '../../../../renderer/src/features/audit/audit-source.ts';
import { createAuditStore, rowAt } from '../../../../renderer/src/features/audit/audit.store.ts';
import { createTestBridge } from '../../bridge-double.ts';

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** A keyset-paged log of `n` entries: cursor = last seq seen, offset and total like a real `audit.page`. */
function pagedLog(n: number) {
  const entries: AuditEntrySummary[] = Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    type: i % 2 ? 'login_success' : 'agent_handoff',
    actor: 'a',
    at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    hash: 'f'.repeat(64),
  }));
  return (input: unknown) => {
    const { cursor, limit, type, offset } = input as AuditPageInput;
    const after = cursor ? Number(cursor) : 0;
    const filtered = entries.filter((entry) => !type || entry.type === type);
    const matching = filtered.filter((entry) => entry.seq > after).slice(offset ?? 0);
    const page = matching.slice(0, limit);
    const last = page[page.length - 1];
    return {
      entries: page,
      nextCursor: matching.length > limit && last ? String(last.seq) : null,
      total: filtered.length,
    };
  };
}

describe('audit store', () => {
  it('reports why the real log is missing when the bridge answers unavailable', async () => {
    const store = createAuditStore();
    await store.getState().connect(createTestBridge({}).bridge);
    expect(store.getState().source).toBeNull();
    expect(store.getState().sourceProblem?.code).toBe('unavailable');
  });

  it('loads synthetic blocks on demand and keeps memory bounded', async () => {
    const store = createAuditStore();
    await store.getState().loadSynthetic({ count: 1_000_000, tailIntervalMs: 0 });
    expect(store.getState().source?.kind).toBe('synthetic');
    expect(store.getState().rowCount).toBe(1_000_000);
    expect(rowAt(store.getState(), 0)?.seq).toBe(1);
    expect(rowAt(store.getState(), 500_000)).toBeUndefined();
    store.getState().ensureRange(500_000, 500_030);
    await settle();
    expect(rowAt(store.getState(), 500_010)?.seq).toBe(500_011);
    for (let step = 0; step < 200; step += 1) store.getState().ensureRange(step * 4_000, step * 4_000 + 30);
    await settle();
    expect(store.getState().blocks.size).toBeLessThanOrEqual(60);
    expect(rowAt(store.getState(), 199 * 4_000)?.seq).toBe(199 * 4_000 + 1);
  });

  it('filters, and reports a tampered entry from verification', async () => {
    const store = createAuditStore();
    await store.getState().loadSynthetic({ count: 9_000, tailIntervalMs: 0, tamperedSeq: 4242 });
    await store.getState().setFilter({ type: 'agent_handoff', actor: '  ' });
    expect(store.getState().filter).toEqual({ type: 'agent_handoff' });
    expect(store.getState().rowCount).toBe(1_000);
    expect(rowAt(store.getState(), 0)?.type).toBe('agent_handoff');
    await store.getState().verify();
    expect(store.getState().verification).toEqual({ intact: false, checked: 4241, firstBadSeq: 4242 });
  });

  it('jumps to a far row with one offset request, then pages on by keyset cursor', async () => {
    const test = createTestBridge({ 'audit.page': pagedLog(1_000) });
    const source = createBridgeAuditSource(test.bridge);
    const far = await source.load({}, 650, 50);
    if (!far.ok) throw new Error(far.error.message);
    expect(far.value.entries.map((row) => row.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 651 + i));
    expect(far.value.total).toBe(1_000);
    expect(test.calls).toHaveLength(1);
    expect((test.calls[0]![1][0] as AuditPageInput).offset).toBe(650);
    const next = await source.load({}, 700, 50);
    expect(next.ok && next.value.entries[0]?.seq).toBe(701);
    const second = test.calls[1]![1][0] as AuditPageInput;
    expect(second.cursor).toBe('700');
    expect(second.offset).toBeUndefined();
    const end = await source.load({}, 950, 100);
    expect(end.ok && end.value.hasMore).toBe(false);
  });

  it('knows the row count from the first page, filtered or not', async () => {
    const test = createTestBridge({ 'audit.page': pagedLog(1_000) });
    const store = createAuditStore();
    await store.getState().connect(test.bridge);
    expect(store.getState().source?.kind).toBe('bridge');
    expect(store.getState().countKnown).toBe(true);
    expect(store.getState().rowCount).toBe(1_000);
    store.getState().ensureRange(990, 999);
    await settle();
    expect(rowAt(store.getState(), 999)?.seq).toBe(1_000);
    await store.getState().setFilter({ type: 'agent_handoff' });
    expect(store.getState().rowCount).toBe(500);
  });

  it('appends tailed entries, and stops listening while paused', async () => {
    const test = createTestBridge({ 'audit.page': pagedLog(10) });
    const store = createAuditStore();
    await store.getState().connect(test.bridge);
    const stop = store.getState().follow();
    test.emit('audit.onEntry', {
      seq: 11,
      type: 'agent_handoff',
      actor: 'x',
      at: new Date().toISOString(),
      hash: 'e'.repeat(64),
    });
    expect(store.getState().rowCount).toBe(11);
    expect(rowAt(store.getState(), 10)?.seq).toBe(11);
    await store.getState().setPaused(true);
    test.emit('audit.onEntry', {
      seq: 12,
      type: 'agent_handoff',
      actor: 'x',
      at: new Date().toISOString(),
      hash: 'e'.repeat(64),
    });
    expect(store.getState().rowCount).toBe(11);
    stop();
  });
});
