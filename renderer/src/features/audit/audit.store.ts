/**
 * The audit view's state (zustand). Rows live in blocks of {@link blockSize} keyed by
 * block number, fetched when the table shows them and dropped when far away, so a
 * million-row log costs a few thousand rows of memory. Only these actions talk to the
 * source (and through it to the bridge).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  AuditConsistency,
  AuditExportResult,
  AuditInclusion,
  AuditVerification,
  ConsoleBridge,
} from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError, Unsubscribe } from '../../../../shared/common/contract/result.ts';
import {
  createBridgeAuditSource,
  type AuditFilter,
  type AuditRow,
  type AuditSource,
} from './audit-source.ts';
import { createSyntheticAuditSource, type SyntheticAuditOptions } from './synthetic-audit.source.ts';

export const blockSize = 200;
/** Blocks kept in memory; the farthest from the latest request go first. */
const maxBlocks = 60;

export interface AuditState {
  source: AuditSource | null;
  /** Why the real log is not shown (e.g. the backend answers `unavailable`). */
  sourceProblem: BridgeError | null;
  connecting: boolean;
  filter: AuditFilter;
  rowCount: number;
  countKnown: boolean;
  blocks: ReadonlyMap<number, readonly AuditRow[]>;
  selected: number | null;
  paused: boolean;
  /** Entries that arrived while a filter was on (the filtered list does not tail). */
  missed: number;
  verification: AuditVerification | null;
  verifiedAt: string | null;
  verifying: boolean;
  error: BridgeError | null;
  /** The signed export to a local file and the offline check of such a file (real log only). */
  fileBusy: boolean;
  exported: AuditExportResult | null;
  fileVerification: (AuditVerification & { path: string }) | null;
  fileError: BridgeError | null;
  /** The selected entry's inclusion proof: checking (result null) or its verdict. */
  inclusion: { seq: number; result: AuditInclusion | null; error: BridgeError | null } | null;
  /** This visit's consistency proof from the remembered checkpoint to the newest. */
  consistency: AuditConsistency | null;
  consistencyError: BridgeError | null;
  checkingConsistency: boolean;
  proveInclusion(row: Pick<AuditRow, 'seq' | 'hash'>): Promise<void>;
  proveConsistency(): Promise<void>;
  exportSigned(path: string): Promise<void>;
  verifyFile(path: string): Promise<void>;
  connect(bridge: ConsoleBridge): Promise<void>;
  loadSynthetic(options?: Partial<SyntheticAuditOptions>): Promise<void>;
  setFilter(filter: AuditFilter): Promise<void>;
  ensureRange(start: number, end: number): void;
  select(index: number | null): void;
  verify(): Promise<void>;
  /** Subscribes to new entries (live tail); returns the unsubscribe. */
  follow(): Unsubscribe;
  setPaused(paused: boolean): Promise<void>;
}

/** The row at `index`, if its block is loaded. */
export function rowAt(state: Pick<AuditState, 'blocks'>, index: number): AuditRow | undefined {
  return state.blocks.get(Math.floor(index / blockSize))?.[index % blockSize];
}

function clean(filter: AuditFilter): AuditFilter {
  const out: AuditFilter = {};
  for (const [key, value] of Object.entries(filter) as [keyof AuditFilter, string | undefined][]) {
    const trimmed = value?.trim();
    if (trimmed) out[key] = trimmed;
  }
  return out;
}

/** Creates an audit store (one per page; tests make their own). */
export function createAuditStore(): StoreApi<AuditState> {
  let generation = 0;
  const pending = new Set<number>();

  return createStore<AuditState>((set, get) => {
    async function loadBlock(block: number): Promise<void> {
      const { source, filter } = get();
      if (!source || pending.has(block)) return;
      const mine = generation;
      pending.add(block);
      const result = await source.load(filter, block * blockSize, blockSize);
      pending.delete(block);
      if (mine !== generation) return;
      if (!result.ok) {
        set({ error: result.error });
        return;
      }
      const { entries, total, hasMore } = result.value;
      const blocks = new Map(get().blocks);
      blocks.set(block, entries);
      if (blocks.size > maxBlocks) {
        const far = [...blocks.keys()].sort((a, b) => Math.abs(b - block) - Math.abs(a - block));
        for (const key of far.slice(0, blocks.size - maxBlocks)) blocks.delete(key);
      }
      const reached = block * blockSize + entries.length;
      set({
        blocks,
        error: null,
        rowCount: total ?? Math.max(get().rowCount, reached + (hasMore ? blockSize : 0)),
        countKnown: total !== null,
      });
    }

    async function reload(patch: Partial<AuditState>): Promise<void> {
      generation += 1;
      pending.clear();
      set({ ...patch, blocks: new Map(), rowCount: 0, countKnown: false, selected: null, missed: 0 });
      await loadBlock(0);
    }

    return {
      source: null,
      sourceProblem: null,
      connecting: false,
      filter: {},
      rowCount: 0,
      countKnown: false,
      blocks: new Map(),
      selected: null,
      paused: false,
      missed: 0,
      verification: null,
      verifiedAt: null,
      verifying: false,
      error: null,
      fileBusy: false,
      exported: null,
      fileVerification: null,
      fileError: null,
      inclusion: null,
      consistency: null,
      consistencyError: null,
      checkingConsistency: false,

      async proveInclusion(row) {
        const { source, inclusion } = get();
        if (!source?.inclusion) return;
        if (
          inclusion?.seq === row.seq &&
          !inclusion.error &&
          (!inclusion.result || inclusion.result.included)
        )
          return;
        set({ inclusion: { seq: row.seq, result: null, error: null } });
        const result = await source.inclusion(row.seq, row.hash);
        if (get().inclusion?.seq !== row.seq) return;
        set({
          inclusion: result.ok
            ? { seq: row.seq, result: result.value, error: null }
            : { seq: row.seq, result: null, error: result.error },
        });
      },

      async proveConsistency() {
        const { source } = get();
        if (!source?.consistency || get().checkingConsistency) return;
        set({ checkingConsistency: true });
        const result = await source.consistency();
        set(
          result.ok
            ? { checkingConsistency: false, consistency: result.value, consistencyError: null }
            : { checkingConsistency: false, consistencyError: result.error },
        );
      },

      async exportSigned(path) {
        const { source } = get();
        if (!source?.exportSigned) return;
        set({ fileBusy: true, fileError: null, exported: null });
        const result = await source.exportSigned(path);
        set(
          result.ok
            ? { fileBusy: false, exported: result.value }
            : { fileBusy: false, fileError: result.error },
        );
      },

      async verifyFile(path) {
        const { source } = get();
        if (!source?.verifyFile) return;
        set({ fileBusy: true, fileError: null, fileVerification: null });
        const result = await source.verifyFile(path);
        set(
          result.ok
            ? { fileBusy: false, fileVerification: { ...result.value, path } }
            : { fileBusy: false, fileError: result.error },
        );
      },

      async connect(bridge) {
        set({ connecting: true });
        const source = createBridgeAuditSource(bridge);
        const probe = await source.load({}, 0, 1);
        if (!probe.ok) {
          set({ connecting: false, sourceProblem: probe.error, source: null });
          return;
        }
        set({ connecting: false, sourceProblem: null });
        await reload({ source, verification: null, verifiedAt: null });
      },

      async loadSynthetic(options) {
        const source = createSyntheticAuditSource({ count: 1_000_000, tailIntervalMs: 1000, ...options });
        await reload({ source, verification: null, verifiedAt: null, error: null });
      },

      async setFilter(filter) {
        await reload({ filter: clean(filter) });
      },

      ensureRange(start, end) {
        const { rowCount } = get();
        if (rowCount === 0) return;
        const last = Math.min(end, rowCount - 1);
        for (let block = Math.floor(start / blockSize); block <= Math.floor(last / blockSize); block += 1) {
          if (!get().blocks.has(block)) void loadBlock(block);
        }
      },

      select(index) {
        set({ selected: index });
      },

      async verify() {
        const { source } = get();
        if (!source) return;
        set({ verifying: true });
        const result = await source.verify();
        set(
          result.ok
            ? { verifying: false, verification: result.value, verifiedAt: new Date().toISOString() }
            : { verifying: false, error: result.error },
        );
      },

      follow() {
        const { source } = get();
        if (!source) return () => undefined;
        return source.onEntry((row) => {
          const state = get();
          if (state.paused) return;
          if (Object.keys(state.filter).length > 0 || !state.countKnown) {
            set({ missed: state.missed + 1 });
            return;
          }
          const index = state.rowCount;
          const block = Math.floor(index / blockSize);
          const blocks = new Map(state.blocks);
          const rows = blocks.get(block);
          if (rows || index % blockSize === 0) blocks.set(block, [...(rows ?? []), row]);
          set({ rowCount: index + 1, blocks });
        });
      },

      async setPaused(paused) {
        if (paused) {
          set({ paused: true });
          return;
        }
        // What arrived while paused is unknown (nobody listened): reload from the source.
        await reload({ paused: false, filter: get().filter });
      },
    };
  });
}
