import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MachineView } from '../../../../renderer/src/features/machine/MachineView.tsx';
import { formatLocal } from '../../../../renderer/src/ui/format.ts';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(cleanup);

describe('machine', () => {
  it('lists fingerprint components as found or not, with the masked form the main side sent', async () => {
    const test = createTestBridge({
      'machine.getInfo': () => ({
        components: [
          { name: 'cpu', present: true, display: 'test cpu 3000' },
          { name: 'machine_id', present: true, display: '****e5f6' },
          { name: 'disk', present: false, display: null },
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
      ['cpu', 'yes', 'test cpu 3000'],
      ['machine_id', 'yes', '****e5f6'],
      ['disk', 'no', '—'],
    ]);
    expect(screen.getByTestId('machine-activated').textContent).toBe('activated (m-42)');
    const lease = screen.getByTestId('machine-lease').textContent ?? '';
    expect(lease).toContain(formatLocal('2026-12-31T00:00:00.000Z'));
    expect(lease).toMatch(/\((\d+ days? left|lease expired: unlock online to renew)\)$/);
  });
});
