import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualTable, type VirtualColumn } from '../../../renderer/src/ui/VirtualTable.tsx';

interface Row {
  n: number;
}
const columns: VirtualColumn<Row>[] = [
  { id: 'n', header: 'Number', width: '5rem', render: (row) => row.n },
  { id: 'square', header: 'Square', width: '1fr', render: (row) => row.n * row.n },
];

function Harness({
  count,
  loaded = () => true,
  opened,
}: {
  count: number;
  loaded?: (i: number) => boolean;
  opened?: number[];
}) {
  const [active, setActive] = useState<number | null>(null);
  return (
    <>
      <VirtualTable
        label="Numbers"
        columns={columns}
        rowCount={count}
        getRow={(index) => (loaded(index) ? { n: index + 1 } : undefined)}
        activeIndex={active}
        onActiveChange={setActive}
        onOpen={(index) => opened?.push(index)}
        height={240}
      />
      <output data-testid="active">{active ?? 'none'}</output>
    </>
  );
}

afterEach(cleanup);

describe('VirtualTable', () => {
  it('renders a window of a million rows with their place in the whole', () => {
    render(<Harness count={1_000_000} />);
    const grid = screen.getByRole('grid', { name: 'Numbers' });
    expect(grid.getAttribute('aria-rowcount')).toBe('1000001');
    const rows = screen.getAllByRole('row');
    // Header + a viewport's worth + overscan, not a million.
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]?.getAttribute('aria-rowindex')).toBe('1');
    expect(rows[1]?.getAttribute('aria-rowindex')).toBe('2');
    expect(rows[1]?.textContent).toBe('11');
    expect(screen.getAllByRole('columnheader').map((cell) => cell.textContent)).toEqual(['Number', 'Square']);
  });

  it('moves the active row with the keyboard and opens it with Enter', () => {
    const opened: number[] = [];
    render(<Harness count={1_000} opened={opened} />);
    // The focusable grid itself takes the keys and names the active row.
    const body = screen.getByRole('grid', { name: 'Numbers' });
    fireEvent.keyDown(body, { key: 'ArrowDown' });
    expect(screen.getByTestId('active').textContent).toBe('0');
    fireEvent.keyDown(body, { key: 'ArrowDown' });
    fireEvent.keyDown(body, { key: 'ArrowDown' });
    expect(screen.getByTestId('active').textContent).toBe('2');
    expect(screen.getByRole('row', { selected: true }).getAttribute('aria-rowindex')).toBe('4');
    expect(body.getAttribute('aria-activedescendant')).toBe(screen.getByRole('row', { selected: true }).id);
    fireEvent.keyDown(body, { key: 'ArrowUp' });
    fireEvent.keyDown(body, { key: 'Enter' });
    expect(opened).toEqual([1]);
    fireEvent.keyDown(body, { key: 'PageDown' });
    expect(Number(screen.getByTestId('active').textContent)).toBeGreaterThan(5);
    fireEvent.keyDown(body, { key: 'End' });
    expect(screen.getByTestId('active').textContent).toBe('999');
    fireEvent.keyDown(body, { key: 'ArrowDown' });
    expect(screen.getByTestId('active').textContent).toBe('999');
    fireEvent.keyDown(body, { key: 'Home' });
    expect(screen.getByTestId('active').textContent).toBe('0');
  });

  it('shows placeholders for rows whose page has not arrived', () => {
    render(<Harness count={100} loaded={(index) => index % 2 === 0} />);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows[0]?.getAttribute('data-loaded')).toBe('true');
    expect(rows[1]?.getAttribute('data-loaded')).toBe('false');
    expect(rows[1]?.textContent).toBe('loading…');
  });
});
