/**
 * Where the audit view's rows come from. The view asks for a slice by row index; a
 * source turns that into keyset pages by `seq`. Two sources exist: the bridge (the real
 * log, through `audit.page`) and a synthetic generator for development and tests that
 * the view labels as such and never presents as real data.
 */
import type {
  AuditEntrySummary,
  AuditVerification,
  ConsoleBridge,
} from '../../../../shared/common/contract/bridge.ts';
import type { AuditPageInput } from '../../../../shared/common/contract/inputs.ts';
import { fail, ok, type Result, type Unsubscribe } from '../../../../shared/common/contract/result.ts';

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
}

/** How many pages the bridge source walks forward to reach a row it has no cursor for. */
const maxWalkPages = 50;

/**
 * The real log through the bridge. The contract pages by opaque cursor and gives no
 * total, so rows are reached by walking pages forward from the nearest known cursor;
 * the row count grows as pages arrive (`total` becomes known at the last page).
 */
export function createBridgeAuditSource(bridge: ConsoleBridge): AuditSource {
  let cursorKey = '';
  // Row index → the cursor that starts a page at that row.
  let cursors = new Map<number, string | undefined>([[0, undefined]]);

  async function fetchFrom(filter: AuditFilter, start: number, limit: number): Promise<Result<AuditSlice>> {
    const input: AuditPageInput = { limit, ...filter };
    const cursor = cursors.get(start);
    if (cursor !== undefined) input.cursor = cursor;
    const page = await bridge.audit.page(input);
    if (!page.ok) return page;
    const entries = page.value.entries;
    const hasMore = page.value.nextCursor !== null;
    if (page.value.nextCursor !== null) cursors.set(start + entries.length, page.value.nextCursor);
    return ok({ entries, hasMore, total: hasMore ? null : start + entries.length });
  }

  return {
    kind: 'bridge',
    async load(filter, start, limit) {
      const key = JSON.stringify(filter);
      if (key !== cursorKey) {
        cursorKey = key;
        cursors = new Map([[0, undefined]]);
      }
      let known = Math.max(...[...cursors.keys()].filter((index) => index <= start));
      for (let walked = 0; known < start; walked += 1) {
        if (walked >= maxWalkPages)
          return fail('unavailable', 'That part of the log is too far ahead; scroll on.');
        const step = await fetchFrom(filter, known, Math.min(limit, start - known));
        if (!step.ok) return step;
        if (!step.value.hasMore) return ok({ entries: [], hasMore: false, total: step.value.total });
        known += step.value.entries.length;
      }
      return fetchFrom(filter, start, limit);
    },
    verify: () => bridge.audit.verify(),
    onEntry: (listener) => bridge.audit.onEntry(listener),
  };
}
