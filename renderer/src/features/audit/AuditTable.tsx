import { Drawer } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useCallback, useState } from 'react';
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

/** Below this width the details pane would squeeze the table: it becomes a drawer. */
export const wideAuditQuery = '(min-width: 1280px)';

/**
 * The table and the details (a pane beside it on wide windows, a drawer that Enter or a
 * click opens on narrow ones): the only part that re-renders when a page of rows arrives
 * (the rest of the view does not subscribe to the rows).
 */
export function AuditTable({ store, follow }: { store: StoreApi<AuditState>; follow: boolean }) {
  const blocks = useAudit(store, (s) => s.blocks);
  const rowCount = useAudit(store, (s) => s.rowCount);
  const selected = useAudit(store, (s) => s.selected);
  const synthetic = useAudit(store, (s) => s.source?.kind === 'synthetic');
  const wide = useMediaQuery(wideAuditQuery, true);
  const [drawer, setDrawer] = useState(false);

  const onRange = useCallback(
    (start: number, end: number) => store.getState().ensureRange(start, end),
    [store],
  );
  const onActive = useCallback((index: number) => store.getState().select(index), [store]);
  const onOpen = useCallback(() => setDrawer(true), []);
  const getRow = useCallback((index: number) => rowAt({ blocks }, index), [blocks]);
  const row = selected === null ? undefined : rowAt({ blocks }, selected);

  return (
    <div className={wide ? 'split' : 'split split-single'}>
      <VirtualTable
        label="Audit entries"
        testId="audit-table"
        columns={columns}
        rowCount={rowCount}
        getRow={getRow}
        activeIndex={selected}
        onActiveChange={onActive}
        onRangeChange={onRange}
        onOpen={onOpen}
        openOnClick={!wide}
        followEnd={follow}
        height={520}
      />
      {wide ? (
        <AuditDetails row={row} synthetic={synthetic} store={store} />
      ) : (
        <Drawer
          opened={drawer && row !== undefined}
          onClose={() => setDrawer(false)}
          position="right"
          size="md"
          title={row ? `Entry ${row.seq}` : 'Entry'}
          closeButtonProps={{ 'aria-label': 'Close the entry' }}
        >
          <AuditDetails row={row} synthetic={synthetic} store={store} inDrawer />
        </Drawer>
      )}
    </div>
  );
}
