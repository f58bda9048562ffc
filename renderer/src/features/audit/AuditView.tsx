import { useCallback, useEffect } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { VirtualTable, type VirtualColumn } from '../../ui/VirtualTable.tsx';
import type { AuditRow } from './audit-source.ts';
import { rowAt, type AuditState } from './audit.store.ts';
import { auditStore, useAudit } from './audit.hooks.ts';
import { shortTime, summarise } from './audit-format.ts';
import { AuditDetails } from './AuditDetails.tsx';
import { AuditFilters } from './AuditFilters.tsx';
import { ChainBadge } from './ChainBadge.tsx';

const columns: readonly VirtualColumn<AuditRow>[] = [
  { id: 'seq', header: 'Seq', width: '5rem', render: (row) => row.seq },
  { id: 'at', header: 'Time (UTC)', width: '10.5rem', render: (row) => shortTime(row.at) },
  { id: 'type', header: 'Type', width: '10rem', render: (row) => row.type },
  { id: 'actor', header: 'Actor', width: '11rem', render: (row) => row.actor ?? '—' },
  { id: 'summary', header: 'Summary', width: 'minmax(6rem, 1fr)', render: summarise },
];

/** Audit: the whole log in a virtual table, with filters, details, chain badge and live tail. */
export function AuditView({ store = auditStore }: { store?: StoreApi<AuditState> }) {
  const bridge = useBridge();
  const state = useAudit(store, (s) => s);
  const { source, rowCount, selected, paused } = state;

  useEffect(() => {
    if (!store.getState().source) void store.getState().connect(bridge);
  }, [bridge, store]);
  // Paused: not subscribed at all, so nothing moves; resuming reloads what arrived meanwhile.
  useEffect(() => (source && !paused ? store.getState().follow() : undefined), [source, paused, store]);

  const onRange = useCallback(
    (start: number, end: number) => store.getState().ensureRange(start, end),
    [store],
  );
  const getRow = useCallback((index: number) => rowAt(store.getState(), index), [store]);
  const synthetic = source?.kind === 'synthetic';
  const tailing = !paused && Object.keys(state.filter).length === 0 && state.countKnown;

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      {state.sourceProblem && source?.kind === 'synthetic' ? (
        <p className="muted">The real audit log is not available: {state.sourceProblem.message}.</p>
      ) : null}
      {state.sourceProblem && !source ? (
        <>
          <ErrorNote error={state.sourceProblem} testId="audit-unavailable" />
          <p>
            The console cannot page the real audit log yet. To try the view at full scale, load generated data
            — it is labelled as synthetic everywhere and never mixed with real entries.
          </p>
          <button type="button" className="button" onClick={() => void store.getState().loadSynthetic()}>
            Show 1 000 000 synthetic entries (not real)
          </button>
        </>
      ) : null}
      {state.connecting ? <p className="muted">Opening the audit log…</p> : null}
      {synthetic ? (
        <Note tone="warning" testId="synthetic-label">
          <span className="synthetic-label">SYNTHETIC DATA</span> — generated in this page to exercise the
          view. This is not your audit log; hashes are not real.
        </Note>
      ) : null}
      {source ? (
        <>
          <AuditFilters onApply={(filter) => void store.getState().setFilter(filter)} />
          <div className="toolbar">
            <ChainBadge
              verification={state.verification}
              verifiedAt={state.verifiedAt}
              onShowBad={(seq) =>
                store.getState().select(Object.keys(state.filter).length === 0 ? seq - 1 : null)
              }
            />
            <button
              type="button"
              className="button"
              disabled={state.verifying}
              onClick={() => void store.getState().verify()}
            >
              {state.verifying ? 'Verifying…' : 'Verify chain'}
            </button>
            <button
              type="button"
              className="button"
              aria-pressed={paused}
              onClick={() => void store.getState().setPaused(!paused)}
            >
              {paused ? 'Resume live tail' : 'Pause live tail'}
            </button>
            <span className="muted" data-testid="audit-count" aria-live="polite">
              {rowCount.toLocaleString('en')} {state.countKnown ? '' : '+ '}entries
              {state.missed > 0 ? ` · ${state.missed} new hidden by the filter` : ''}
            </span>
          </div>
          <ErrorNote error={state.error} />
          <div className="split">
            <VirtualTable
              label="Audit entries"
              testId="audit-table"
              columns={columns}
              rowCount={rowCount}
              getRow={getRow}
              activeIndex={selected}
              onActiveChange={(index) => store.getState().select(index)}
              onRangeChange={onRange}
              followEnd={tailing}
              height={520}
            />
            <AuditDetails
              row={selected === null ? undefined : rowAt(state, selected)}
              synthetic={synthetic}
            />
          </div>
        </>
      ) : null}
    </section>
  );
}
