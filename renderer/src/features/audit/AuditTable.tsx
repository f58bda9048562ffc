import { useCallback } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import { VirtualTable, type VirtualColumn } from '../../ui/VirtualTable.tsx';
import type { AuditRow } from './audit-source.ts';
import { rowAt, type AuditState } from './audit.store.ts';
import { useAudit } from './audit.hooks.ts';
import { shortTime, summarise } from './audit-format.ts';
import { AuditDetails } from './AuditDetails.tsx';

const columns: readonly VirtualColumn<AuditRow>[] = [
  { id: 'seq', header: 'Seq', width: '5.5rem', render: (row) => row.seq },
  { id: 'at', header: 'Time (UTC)', width: '11.5rem', render: (row) => shortTime(row.at) },
  { id: 'type', header: 'Type', width: '10rem', render: (row) => row.type },
  { id: 'actor', header: 'Actor', width: '10rem', render: (row) => row.actor ?? '—' },
  { id: 'summary', header: 'Summary', width: 'minmax(8rem, 1fr)', render: summarise },
];

/**
 * The table and the details pane: the only part that re-renders when a page of rows
 * arrives (the rest of the view does not subscribe to the rows).
 */
export function AuditTable({ store, follow }: { store: StoreApi<AuditState>; follow: boolean }) {
  const blocks = useAudit(store, (s) => s.blocks);
  const rowCount = useAudit(store, (s) => s.rowCount);
  const selected = useAudit(store, (s) => s.selected);
  const synthetic = useAudit(store, (s) => s.source?.kind === 'synthetic');

  const onRange = useCallback(
    (start: number, end: number) => store.getState().ensureRange(start, end),
    [store],
  );
  const onActive = useCallback((index: number) => store.getState().select(index), [store]);
  const getRow = useCallback((index: number) => rowAt({ blocks }, index), [blocks]);

  return (
    <div className="split">
      <VirtualTable
        label="Audit entries"
        testId="audit-table"
        columns={columns}
        rowCount={rowCount}
        getRow={getRow}
        activeIndex={selected}
        onActiveChange={onActive}
        onRangeChange={onRange}
        followEnd={follow}
        height={520}
      />
      <AuditDetails row={selected === null ? undefined : rowAt({ blocks }, selected)} synthetic={synthetic} />
    </div>
  );
}
