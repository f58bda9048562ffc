import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsoleSettings } from '../../../../shared/common/contract/bridge.ts';
import { SettingsView } from '../../../../renderer/src/features/settings/SettingsView.tsx';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(cleanup);

function settingsBridge() {
  let settings: ConsoleSettings = {
    serverUrl: 'http://127.0.0.1:8',
    theme: 'system',
    strictHardware: false,
    autoLockMinutes: 15,
  };
  return createTestBridge({
    'settings.get': () => settings,
    'settings.update': (patch) => {
      settings = { ...settings, ...(patch as Partial<ConsoleSettings>) };
      return settings;
    },
  });
}

describe('settings', () => {
  it('applies the chosen theme to the page and saves an empty server address as "embedded"', async () => {
    const test = settingsBridge();
    renderWithBridge(test.bridge, <SettingsView />);
    const address = (await screen.findByDisplayValue('http://127.0.0.1:8')) as HTMLInputElement;
    fireEvent.click(screen.getByRole('radio', { name: 'dark' }));
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    expect((screen.getByRole('radio', { name: 'dark' }) as HTMLInputElement).checked).toBe(true);
    fireEvent.change(address, { target: { value: '   ' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Server' }));
    expect((await screen.findByTestId('server-applied')).textContent).toContain('embedded demo factory');

    // Auto-lock: out-of-range minutes cannot be saved; a valid value is.
    const minutes = screen.getByLabelText(/idle minutes/) as HTMLInputElement;
    expect(minutes.value).toBe('15');
    const save = screen.getByRole('button', { name: 'Save auto-lock' }) as HTMLButtonElement;
    fireEvent.change(minutes, { target: { value: '0' } });
    expect(save.disabled).toBe(true);
    fireEvent.change(minutes, { target: { value: '5' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Vault auto-lock' }));
    await screen.findByText('Saved.');
    expect(
      test.calls.filter(([channel]) => channel === 'settings.update').map(([, args]) => args[0]),
    ).toEqual([{ theme: 'dark' }, { serverUrl: null }, { autoLockMinutes: 5 }]);
    fireEvent.click(screen.getByRole('radio', { name: 'system' }));
    await waitFor(() => expect(document.documentElement.dataset.theme).toBeUndefined());
  });
});
