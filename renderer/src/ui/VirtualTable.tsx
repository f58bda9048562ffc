/**
 * An accessible virtual table (WAI-ARIA grid pattern, single selection): only the rows
 * in view are in the DOM, `aria-rowcount`/`aria-rowindex` tell assistive technology
 * where they sit in the whole list, and the keyboard moves the active row (arrows,
 * Page Up/Down, Home/End, Enter). Rows have one fixed height, so a million rows are
 * one tall scroll area with no measuring (@tanstack/react-virtual does the windowing).
 */
import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface VirtualColumn<Row> {
  id: string;
  header: string;
  /** A CSS grid track, e.g. `6rem` or `1fr`. */
  width: string;
  render(row: Row): ReactNode;
}

export interface VirtualTableProps<Row> {
  /** Accessible name of the grid. */
  label: string;
  columns: readonly VirtualColumn<Row>[];
  rowCount: number;
  /** The row at `index`, or undefined while its page is loading (a placeholder row is shown). */
  getRow(index: number): Row | undefined;
  /** Index of the active (selected) row, or null. */
  activeIndex: number | null;
  onActiveChange(index: number): void;
  /** Called with the rendered range whenever it changes, so the owner can fetch those pages. */
  onRangeChange?(start: number, end: number): void;
  /** Enter on the active row, or a double click (also a single click with `openOnClick`). */
  onOpen?(index: number): void;
  /** A click opens the row as well as selecting it (the details drawer of narrow windows). */
  openOnClick?: boolean;
  /** Keep the last row in view as rows are added (live tail). */
  followEnd?: boolean;
  rowHeight?: number;
  /** Viewport height in pixels (fixed, so the window needs no measuring). */
  height?: number;
  testId?: string;
}

/** Renders the grid. Focus the body and use the keyboard, or click a row. */
export function VirtualTable<Row>(props: VirtualTableProps<Row>) {
  const { columns, rowCount, activeIndex, onActiveChange, onRangeChange, followEnd } = props;
  const rowHeight = props.rowHeight ?? 24;
  const height = props.height ?? 480;
  const scroller = useRef<HTMLDivElement>(null);
  const baseId = useId();
  const template = columns.map((column) => column.width).join(' ');

  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 6,
    // The viewport's height is fixed by this component; reporting it directly avoids
    // a layout read per frame and works where layout is not computed (tests).
    observeElementRect: (instance: Virtualizer<HTMLDivElement, Element>, callback) => {
      callback({ width: instance.scrollElement?.clientWidth ?? 0, height });
      return () => undefined;
    },
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (last >= first) onRangeChange?.(first, last);
  }, [first, last, onRangeChange]);

  // Like `tail -f`: follow new rows only while the last row was in view.
  const wasAtEnd = useRef(false);
  useEffect(() => {
    if (followEnd && wasAtEnd.current && rowCount > 0)
      virtualizer.scrollToIndex(rowCount - 1, { align: 'end' });
  }, [followEnd, rowCount, virtualizer]);
  useEffect(() => {
    wasAtEnd.current = rowCount > 0 && last >= rowCount - 1;
  }, [last, rowCount]);

  const pageRows = Math.max(1, Math.floor(height / rowHeight) - 1);

  function move(to: number): void {
    if (rowCount === 0) return;
    const index = Math.min(rowCount - 1, Math.max(0, to));
    onActiveChange(index);
    virtualizer.scrollToIndex(index, { align: 'auto' });
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    const current = activeIndex ?? -1;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(current + 1),
      ArrowUp: () => move(current - 1),
      PageDown: () => move(current + pageRows),
      PageUp: () => move(current - pageRows),
      Home: () => move(0),
      End: () => move(rowCount - 1),
      Enter: () => {
        if (activeIndex !== null) props.onOpen?.(activeIndex);
      },
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  }

  const rowId = (index: number): string => `${baseId}-row-${index}`;
  const activeRendered = activeIndex !== null && activeIndex >= first && activeIndex <= last;

  return (
    <div className="vt" data-testid={props.testId}>
      <div
        id={`${baseId}-header`}
        className="vt-header"
        role="row"
        aria-rowindex={1}
        style={{ gridTemplateColumns: template }}
      >
        {columns.map((column, index) => (
          <div key={column.id} className="vt-cell" role="columnheader" aria-colindex={index + 1}>
            {column.header}
          </div>
        ))}
      </div>
      <div
        ref={scroller}
        className="vt-scroller"
        // The focused element carries aria-activedescendant, so it is the grid itself (a
        // rowgroup may not: axe aria-allowed-attr); the header row above it is owned.
        role="grid"
        aria-label={props.label}
        aria-rowcount={rowCount + 1}
        aria-colcount={columns.length}
        aria-owns={`${baseId}-header`}
        tabIndex={0}
        style={{ height }}
        onKeyDown={onKeyDown}
        aria-activedescendant={activeRendered ? rowId(activeIndex) : undefined}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = props.getRow(item.index);
            return (
              <div
                // Keyed by slot in the window, not by index: a contiguous window of n rows
                // has n distinct `index % n`, so a one-row scroll moves one element and a
                // long jump rewrites the same elements' text instead of replacing them all.
                key={item.index % items.length}
                id={rowId(item.index)}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={item.index === activeIndex}
                className={row === undefined ? 'vt-row vt-placeholder' : 'vt-row'}
                data-loaded={row === undefined ? 'false' : 'true'}
                data-index={item.index}
                style={{
                  height: rowHeight,
                  transform: `translateY(${item.start}px)`,
                  gridTemplateColumns: template,
                }}
                onClick={() => {
                  onActiveChange(item.index);
                  if (props.openOnClick) props.onOpen?.(item.index);
                }}
                onDoubleClick={() => props.onOpen?.(item.index)}
              >
                {columns.map((column, index) => (
                  <div key={column.id} className="vt-cell" role="gridcell" aria-colindex={index + 1}>
                    {row === undefined ? (index === 0 ? 'loading…' : '') : column.render(row)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
