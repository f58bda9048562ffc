/**
 * The Machine view's pinned server identity and its Deactivate flow: nothing is sent
 * until the operator confirms, the confirmed call carries no arguments (no keys or
 * tokens cross the bridge), the view then shows the machine as not activated, and a
 * refusal keeps the activation on screen with the error.
 */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MachineInfo } from '../../../../shared/common/contract/bridge.ts';
import { buildBridge } from '../../../../shared/common/contract/channels.ts';
import { fail, ok } from '../../../../shared/common/contract/result.ts';
import { MachineView } from '../../../../renderer/src/features/machine/MachineView.tsx';
import { machineStore } from '../../../../renderer/src/features/machine/machine.hooks.ts';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(cleanup);
beforeEach(() => machineStore.setState({ info: null, error: null, lastChange: null, deactivating: false }));

const fingerprint =
  'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';

function activated(): MachineInfo {
  return {
    components: [{ name: 'cpu', present: true, display: 'test cpu' }],
    bindingStrength: 1,
    activated: true,
    machineId: 'm-42',
    leaseValidUntil: '2026-12-31T00:00:00.000Z',
    serverUrl: 'https://factory.example.test:8443',
    serverCertificateFingerprint: fingerprint,
    serverKeyId: 'key-2026-01',
  };
}

function deactivated(): MachineInfo {
  return {
    ...activated(),
    activated: false,
    machineId: null,
    leaseValidUntil: null,
    serverUrl: null,
    serverCertificateFingerprint: null,
    serverKeyId: null,
  };
}

function deactivateButton(): HTMLButtonElement {
  return screen.getByRole('button', { name: 'Deactivate' }) as HTMLButtonElement;
}

describe('machine deactivation', () => {
  it('shows the pinned certificate fingerprint and signing key id', async () => {
    const test = createTestBridge({ 'machine.getInfo': activated });
    renderWithBridge(test.bridge, <MachineView />);
    expect((await screen.findByTestId('machine-pinned-certificate')).textContent).toBe(fingerprint);
    expect(screen.getByTestId('machine-pinned-key').textContent).toBe('key-2026-01');
    expect(screen.getByTestId('machine-server').textContent).toBe('https://factory.example.test:8443');
    expect(deactivateButton().disabled).toBe(false);
  });

  it('deactivates only after confirmation, then shows the machine as not activated', async () => {
    let info = activated();
    const test = createTestBridge({
      'machine.getInfo': () => info,
      'machine.deactivate': () => {
        info = deactivated();
        return info;
      },
    });
    renderWithBridge(test.bridge, <MachineView />);
    await screen.findByText('activated (m-42)');

    fireEvent.click(deactivateButton());
    expect((await screen.findByRole('dialog')).textContent).toContain('m-42');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(test.calls.some(([channel]) => channel === 'machine.deactivate')).toBe(false);

    fireEvent.click(deactivateButton());
    fireEvent.click(await screen.findByRole('button', { name: 'Deactivate machine' }));
    await waitFor(() => expect(screen.getByTestId('machine-activated').textContent).toBe('not activated'));
    expect(test.calls.filter(([channel]) => channel === 'machine.deactivate')).toEqual([
      ['machine.deactivate', []],
    ]);
    expect(screen.getByText(/Deactivated machine m-42/)).toBeTruthy();
    expect(screen.getByTestId('machine-pinned-key').textContent).toBe('—');
    expect(deactivateButton().disabled).toBe(true);
  });

  it('keeps the activation and shows the error when the server refuses', async () => {
    // A refusal with its own code, which the shared double (successes only) cannot produce.
    const bridge = buildBridge({
      invoke: (channel) =>
        Promise.resolve(
          channel === 'machine.getInfo'
            ? ok(activated())
            : channel === 'machine.deactivate'
              ? fail('unauthenticated', 'Sign in to the Factory API before deactivating this machine.')
              : fail('unavailable', `${channel} is not available`),
        ),
      subscribe: () => () => undefined,
    });
    renderWithBridge(bridge, <MachineView />);
    await screen.findByText('activated (m-42)');
    fireEvent.click(deactivateButton());
    fireEvent.click(await screen.findByRole('button', { name: 'Deactivate machine' }));
    const error = await screen.findByTestId('machine-error');
    expect(error.textContent).toContain('unauthenticated');
    expect(screen.getByTestId('machine-activated').textContent).toBe('activated (m-42)');
    expect(screen.queryByText(/Deactivated machine/)).toBeNull();
  });
});
