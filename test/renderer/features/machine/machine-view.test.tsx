import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MachineView } from '../../../../renderer/src/features/machine/MachineView.tsx';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(cleanup);

describe('machine', () => {
  it('lists fingerprint components as found or not, never their values', async () => {
    const test = createTestBridge({
      'machine.getInfo': () => ({
        components: [
          { name: 'cpu', present: true },
          { name: 'disk-serial', present: false },
        ],
        bindingStrength: 1,
        activated: true,
        machineId: 'm-42',
        leaseValidUntil: '2026-12-31T00:00:00.000Z',
      }),
    });
    renderWithBridge(test.bridge, <MachineView />);
    const table = await screen.findByRole('table', { name: 'Fingerprint components' });
    const rows = [...table.querySelectorAll('tbody tr')].map((row) =>
      [...row.children].map((cell) => cell.textContent),
    );
    expect(rows).toEqual([
      ['cpu', 'yes', '•••••••• (masked)'],
      ['disk-serial', 'no', '—'],
    ]);
    expect(screen.getByTestId('machine-activated').textContent).toBe('activated (m-42)');
    expect(screen.getByText('2026-12-31T00:00:00.000Z')).toBeTruthy();
  });
});
