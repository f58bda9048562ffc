import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionState, VaultState } from '../../../../shared/common/contract/bridge.ts';
import { App } from '../../../../renderer/src/app/App.tsx';
import { sessionStore } from '../../../../renderer/src/features/session/session.hooks.ts';
import { vaultStore } from '../../../../renderer/src/features/vault/vault.hooks.ts';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(() => {
  cleanup();
  vaultStore.setState({ vault: null, error: null, busy: false, dismissed: false });
  sessionStore.setState({ session: null, error: null, busy: false });
});

const secret = 'correct horse battery staple';
const lockedVault: VaultState = {
  activated: true,
  locked: true,
  email: 'ada@example.test',
  serverUrl: 'https://factory.example.test:8443',
  machineLabel: 'bench-1',
  items: 2,
  locksAt: null,
};
const nobody: SessionState = { signedIn: false, email: null, role: null, serverUrl: 'http://127.0.0.1:9' };

function lockBridge() {
  let vault = lockedVault;
  return createTestBridge({
    'vault.getState': () => vault,
    'session.getState': () => nobody,
    'vault.unlock': (input) => {
      if ((input as { password: string }).password !== secret) throw new Error('Wrong password');
      vault = { ...lockedVault, locked: false, locksAt: new Date(Date.now() + 15 * 60_000).toISOString() };
      return { vault, session: nobody };
    },
    'vault.lock': () => (vault = lockedVault),
    'resources.list': () => [],
  });
}

describe('the locked screen', () => {
  it('asks only for the password of the activation account, and opens the console', async () => {
    const test = lockBridge();
    renderWithBridge(test.bridge, <App shell="browser" />);
    expect((await screen.findByTestId('lock-email')).textContent).toBe('ada@example.test');
    expect(screen.getByTestId('lock-screen').textContent).toContain('2 items');
    const form = screen.getByRole('form', { name: 'Unlock the vault' });
    expect(form.querySelectorAll('input')).toHaveLength(1);
    expect(screen.queryByRole('navigation')).toBeNull();

    const password = screen.getByLabelText('Password') as HTMLInputElement;
    fireEvent.change(password, { target: { value: 'wrong' } });
    fireEvent.submit(form);
    expect(password.value).toBe('');
    expect((await screen.findByTestId('lock-error')).textContent).toContain('Wrong password');
    expect(screen.getByTestId('lock-screen')).toBeTruthy();

    fireEvent.change(password, { target: { value: secret } });
    fireEvent.submit(form);
    await screen.findByTestId('lock-now');
    expect(screen.queryByTestId('lock-screen')).toBeNull();
    expect(document.querySelector('main')?.dataset.view).toBe('resources');
    expect(test.calls.filter(([channel]) => channel === 'vault.unlock').map(([, args]) => args)).toEqual([
      [{ password: 'wrong' }],
      [{ password: secret }],
    ]);
    expect(JSON.stringify(vaultStore.getState())).not.toContain(secret);
  });

  it('comes back on Lock and when the main side locks by itself', async () => {
    const test = lockBridge();
    renderWithBridge(test.bridge, <App shell="browser" />);
    fireEvent.change(await screen.findByLabelText('Password'), { target: { value: secret } });
    fireEvent.submit(screen.getByRole('form', { name: 'Unlock the vault' }));
    fireEvent.click(await screen.findByTestId('lock-now'));
    await screen.findByTestId('lock-screen');
    expect(test.calls.map(([channel]) => channel)).toContain('vault.lock');

    fireEvent.change(screen.getByLabelText('Password'), { target: { value: secret } });
    fireEvent.submit(screen.getByRole('form', { name: 'Unlock the vault' }));
    await screen.findByTestId('lock-now');
    act(() => test.emit('vault.onChange', lockedVault)); // idle time ran out on the main side
    await screen.findByTestId('lock-screen');
  });

  it('steps aside for another sign-in, and never shows for a machine that is not activated', async () => {
    const test = lockBridge();
    renderWithBridge(test.bridge, <App shell="browser" />);
    fireEvent.click(await screen.findByRole('button', { name: /Not now/ }));
    await waitFor(() => expect(document.querySelector('main')?.dataset.view).toBe('session'));
    expect(screen.getByRole('button', { name: 'Unlock vault…' })).toBeTruthy();
    cleanup();

    vaultStore.setState({ vault: null, dismissed: false });
    const fresh = createTestBridge({
      'vault.getState': () => ({ ...lockedVault, activated: false, email: null, items: 0 }),
      'session.getState': () => nobody,
    });
    renderWithBridge(fresh.bridge, <App shell="browser" />);
    await waitFor(() => expect(fresh.calls.map(([channel]) => channel)).toContain('vault.getState'));
    expect(await screen.findByRole('navigation')).toBeTruthy();
    expect(screen.queryByTestId('lock-screen')).toBeNull();
  });
});
