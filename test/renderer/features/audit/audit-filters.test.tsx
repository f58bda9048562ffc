/**
 * The audit filter bar's time range (renderer/src/features/audit/AuditFilters.tsx): From and
 * To typed as local time become ISO bounds; an unreadable bound, or To before From, is said
 * under its field and nothing is applied, with every value typed still there; Clear empties
 * the fields and their messages.
 */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditFilter } from '../../../../renderer/src/features/audit/audit-source.ts';
import { AuditFilters } from '../../../../renderer/src/features/audit/AuditFilters.tsx';
import { localInputMessages } from '../../../../renderer/src/ui/format.ts';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(cleanup);

function setUp() {
  const applied: AuditFilter[] = [];
  renderWithBridge(createTestBridge({}).bridge, <AuditFilters onApply={(filter) => applied.push(filter)} />);
  const field = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
  const type = (label: string, value: string) => fireEvent.change(field(label), { target: { value } });
  const apply = () => fireEvent.submit(screen.getByRole('form', { name: 'Audit filters' }));
  const errorOf = (label: string) =>
    (field(label).getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' ')
      .trim();
  return { applied, field, type, apply, errorOf };
}

describe('audit filters: the time range', () => {
  it('applies From and To typed as local time as ISO bounds', () => {
    const { applied, type, apply } = setUp();
    type('Actor', 'ops@x.test');
    type('From', '2031-05-06 07:08');
    type('To', '2031-05-07 00:00');
    apply();
    expect(applied).toEqual([
      {
        type: '',
        actor: 'ops@x.test',
        from: new Date(2031, 4, 6, 7, 8).toISOString(),
        to: new Date(2031, 4, 7, 0, 0).toISOString(),
        search: '',
      },
    ]);
  });

  it('leaves an empty bound open', () => {
    const { applied, type, apply } = setUp();
    type('To', '2031-05-07 00:00');
    apply();
    expect(applied).toEqual([
      { type: '', actor: '', from: undefined, to: new Date(2031, 4, 7).toISOString(), search: '' },
    ]);
  });

  it('says under From that it cannot be read, applies nothing, and keeps every value', async () => {
    const { applied, field, type, apply, errorOf } = setUp();
    type('Actor', 'ops@x.test');
    type('Text', 'firewall');
    type('From', 'yesterday 9am');
    type('To', '2031-05-07 00:00');
    apply();
    await waitFor(() => expect(errorOf('From')).toBe(localInputMessages.unreadable));
    expect(errorOf('To')).toBe('');
    expect(applied).toEqual([]);
    expect([field('Actor').value, field('Text').value, field('From').value, field('To').value]).toEqual([
      'ops@x.test',
      'firewall',
      'yesterday 9am',
      '2031-05-07 00:00',
    ]);
    // Typing clears the message; a readable time applies.
    type('From', '2031-05-06 07:08');
    expect(errorOf('From')).toBe('');
    apply();
    expect(applied).toHaveLength(1);
  });

  it('says under To that it is before From, applies nothing, and clears the message when either changes', async () => {
    const { applied, type, apply, errorOf } = setUp();
    type('From', '2031-05-07 00:00');
    type('To', '2031-05-06 23:59');
    apply();
    await waitFor(() => expect(errorOf('To')).toBe('"To" is before "From".'));
    expect(errorOf('From')).toBe('');
    expect(applied).toEqual([]);
    type('From', '2031-05-06 00:00');
    expect(errorOf('To')).toBe('');
    apply();
    expect(applied.map((filter) => [filter.from, filter.to])).toEqual([
      [new Date(2031, 4, 6).toISOString(), new Date(2031, 4, 6, 23, 59).toISOString()],
    ]);
    // The same instant both ways is a range of one minute's start, not a backwards one.
    type('To', '2031-05-06 00:00');
    apply();
    expect(applied).toHaveLength(2);
  });

  it('Clear empties the range and its messages and applies no filter', async () => {
    const { applied, field, type, apply, errorOf } = setUp();
    type('From', 'soon');
    apply();
    await waitFor(() => expect(errorOf('From')).not.toBe(''));
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(field('From').value).toBe(''));
    expect(errorOf('From')).toBe('');
    expect(applied).toEqual([{}]);
  });
});
