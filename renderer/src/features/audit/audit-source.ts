/**
 * Where the audit view's rows come from. The view asks for a slice by row index; a
 * source turns that into keyset pages by `seq`. Two sources exist: the bridge (the real
 * log, through `audit.page`) and a synthetic generator for development and tests that
 * the view labels as such and never presents as real data.
 */
import type {
  AuditConsistency,
  AuditEntrySummary,
  AuditExportResult,
  AuditInclusion,
  AuditVerification,
  ConsoleBridge,
} from '../../../../shared/common/contract/bridge.ts';
import type { AuditPageInput } from '../../../../shared/common/contract/inputs.ts';
import { ok, type Result, type Unsubscribe } from '../../../../shared/common/contract/result.ts';

/** One row: the contract's summary plus what a source may know beyond it. */
export interface AuditRow extends AuditEntrySummary {
  prevHash?: string;
  resource?: string | null;
  details?: Record<string, unknown>;
  /** The canonical line the hash is computed over, when the source has it. */
  canonical?: string;
}

export interface AuditFilter {
  type?: string;
  actor?: string;
  /** ISO times, inclusive. */
  from?: string;
  to?: string;
  search?: string;
}

export interface AuditSlice {
  entries: AuditRow[];
  /** How many rows match the filter, when the source knows; null means "more may follow". */
  total: number | null;
  hasMore: boolean;
}

export interface AuditSource {
  readonly kind: 'bridge' | 'synthetic';
  /** Rows `start … start+limit-1` of the filtered list, in ascending `seq`. */
  load(filter: AuditFilter, start: number, limit: number): Promise<Result<AuditSlice>>;
  verify(): Promise<Result<AuditVerification>>;
  onEntry(listener: (row: AuditRow) => void): Unsubscribe;
  /** The real log only: the server-signed JSONL written to a local path. */
  exportSigned?(path: string): Promise<Result<AuditExportResult>>;
  /** The real log only: offline verification of a local export (first bad entry). */
  verifyFile?(path: string): Promise<Result<AuditVerification>>;
  /** The real log only: the entry's inclusion proof, verified on the main side. */
  inclusion?(seq: number, hash: string): Promise<Result<AuditInclusion>>;
  /** The real log only: a consistency proof from the remembered checkpoint, verified on the main side. */
  consistency?(): Promise<Result<AuditConsistency>>;
}

/**
 * The real log through the bridge. Pages carry the filter's `total`, so the view knows
 * its size at once; a row the source has no keyset cursor for is reached with an
 * offset (one request, however far the operator jumps), and the cursor each page
 * returns makes the next sequential page a cheap keyset read again.
 */
export function createBridgeAuditSource(bridge: ConsoleBridge): AuditSource {
  let cursorKey = '';
  // Row index → the cursor that starts a page at that row.
  let cursors = new Map<number, string | undefined>([[0, undefined]]);

  return {
    kind: 'bridge',
    async load(filter, start, limit) {
      const key = JSON.stringify(filter);
      if (key !== cursorKey) {
        cursorKey = key;
        cursors = new Map([[0, undefined]]);
      }
      const input: AuditPageInput = { limit, ...filter };
      if (cursors.has(start)) {
        const cursor = cursors.get(start);
        if (cursor !== undefined) input.cursor = cursor;
      } else {
        input.offset = start;
      }
      const page = await bridge.audit.page(input);
      if (!page.ok) return page;
      const { entries, nextCursor, total } = page.value;
      if (nextCursor !== null) cursors.set(start + entries.length, nextCursor);
      const hasMore = total !== null ? start + entries.length < total : nextCursor !== null;
      return ok({ entries, hasMore, total: total ?? (hasMore ? null : start + entries.length) });
    },
    verify: () => bridge.audit.verify(),
    onEntry: (listener) => bridge.audit.onEntry(listener),
    exportSigned: (path) => bridge.audit.exportTo({ path }),
    verifyFile: (path) => bridge.audit.verifyFile({ path }),
    inclusion: (seq, hash) => bridge.audit.inclusion({ seq, hash }),
    consistency: () => bridge.audit.consistency(),
  };
}
