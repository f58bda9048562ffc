import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditView } from '../../../../renderer/src/features/audit/AuditView.tsx';
import { ChainBadge } from '../../../../renderer/src/features/audit/ChainBadge.tsx';
import { createAuditStore } from '../../../../renderer/src/features/audit/audit.store.ts';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(cleanup);

describe('audit view', () => {
  it('labels synthetic data, and shows a broken chain with its first bad entry', async () => {
    const store = createAuditStore();
    renderWithBridge(createTestBridge({}).bridge, <AuditView store={store} />);
    expect((await screen.findByTestId('audit-unavailable')).textContent).toContain('unavailable');
    await store.getState().loadSynthetic({ count: 5_000, tailIntervalMs: 0, tamperedSeq: 1_234 });
    expect((await screen.findByTestId('synthetic-label')).textContent).toContain('SYNTHETIC DATA');
    expect(screen.getByRole('grid').getAttribute('aria-rowcount')).toBe('5001');
    fireEvent.click(screen.getByRole('button', { name: 'Verify chain' }));
    await waitFor(() =>
      expect(screen.getByTestId('chain-badge').textContent).toContain('first bad entry is seq 1234'),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Show it' }));
    expect(store.getState().selected).toBe(1_233);
  });

  it('shows the verified state with the seq and the check time', () => {
    renderWithBridge(
      createTestBridge({}).bridge,
      <ChainBadge
        verification={{ intact: true, checked: 42, firstBadSeq: null }}
        verifiedAt="2026-03-04T05:06:07.000Z"
        onShowBad={() => undefined}
      />,
    );
    expect(screen.getByTestId('chain-badge').textContent).toBe(
      '✓ Chain verified up to seq 42 (checked 2026-03-04 05:06:07 UTC)',
    );
  });
});
