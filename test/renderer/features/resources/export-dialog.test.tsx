/**
 * The resources view's Export: offered only on rows in the vault, a dialog with a path
 * and a password field, the password cleared once sent, the path and bytes written
 * shown on success, and a refusal shown with what to do (the dialog stays open).
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResourcesView } from '../../../../renderer/src/features/resources/ResourcesView.tsx';
import { resourcesStore } from '../../../../renderer/src/features/resources/resources.hooks.ts';
import { vaultStore } from '../../../../renderer/src/features/vault/vault.hooks.ts';
import { formatCount } from '../../../../renderer/src/ui/format.ts';
import { Providers } from '../../../../renderer/src/app/Providers.tsx';
import { BridgeContext } from '../../../../renderer/src/app/bridge-context.ts';
import { ShellContext } from '../../../../renderer/src/app/shell-context.ts';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(() => {
  cleanup();
  vaultStore.setState({ vault: null });
});
beforeEach(() => resourcesStore.setState({ resources: null, error: null, progress: {}, exports: {} }));

const size = 3 * 1024 * 1024 + 17;

function exportBridge() {
  const written = new Set<string>();
  return createTestBridge({
    'resources.list': () => [
      { id: 'model-a', name: 'Model A', size, state: 'unlocked' },
      { id: 'model-b', name: 'Model B', size: 10, state: 'locked' },
      { id: 'model-c', name: 'Model C', size: 20, state: 'offline' },
    ],
    'resources.exportTo': (input) => {
      const { path } = input as { path: string };
      if (written.has(path)) throw new Error(`${path} already exists and is never overwritten`);
      written.add(path);
      return { path, bytes: size, audit: 'reported' };
    },
  });
}

function fill(dialog: HTMLElement, path: string, password: string): HTMLInputElement {
  fireEvent.change(within(dialog).getByLabelText(/Save to/), { target: { value: path } });
  const secret = within(dialog).getByLabelText('Password') as HTMLInputElement;
  fireEvent.change(secret, { target: { value: password } });
  return secret;
}

describe('resource export dialog', () => {
  it('is offered only for resources in the vault', async () => {
    renderWithBridge(exportBridge().bridge, <ResourcesView />);
    await screen.findByText('Model A');
    expect(screen.getByRole('button', { name: 'Export Model A' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Export Model C' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Export Model B' })).toBeNull();
  });

  it('sends path and password once, clears the password, shows the result, then the refusal', async () => {
    const test = exportBridge();
    renderWithBridge(test.bridge, <ResourcesView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Export Model A' }));
    const dialog = await screen.findByRole('dialog', { name: 'Export Model A' });

    const secret = fill(dialog, '/srv/out/model-a.bin', 'pw-1');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Export' }));
    expect(secret.value).toBe('');
    const result = within(dialog).getByTestId('export-result');
    await waitFor(() => expect(result.textContent).toContain('/srv/out/model-a.bin'));
    expect(result.textContent).toContain(`${formatCount(size)} bytes`);
    expect(result.textContent).toContain('The server recorded the export.');
    const sent = test.calls.filter(([channel]) => channel === 'resources.exportTo');
    expect(sent).toEqual([
      ['resources.exportTo', [{ resourceId: 'model-a', path: '/srv/out/model-a.bin', password: 'pw-1' }]],
    ]);
    // The password is not kept in the store.
    expect(JSON.stringify(resourcesStore.getState())).not.toContain('pw-1');

    fill(dialog, '/srv/out/model-a.bin', 'pw-2');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Export' }));
    // A refused path is said under the path field, with what to do.
    await waitFor(() => expect(dialog.textContent).toContain('already exists'));
    expect(
      within(dialog)
        .getByLabelText(/Save to/)
        .getAttribute('aria-invalid'),
    ).toBe('true');
    expect(dialog.textContent).toContain('absolute path in an existing folder');
    expect(screen.getByRole('dialog', { name: 'Export Model A' })).toBe(dialog);

    // An empty password sends nothing, and says so under the field.
    fill(dialog, '/srv/out/other.bin', '');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Export' }));
    expect(test.calls.filter(([channel]) => channel === 'resources.exportTo')).toHaveLength(2);
    expect(within(dialog).getByLabelText('Password').getAttribute('aria-invalid')).toBe('true');
    expect(dialog.textContent).toContain('Enter the password');

    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('asks no password while the vault is unlocked: the main side uses its opened key', async () => {
    vaultStore.setState({
      vault: {
        activated: true,
        locked: false,
        email: 'ada@example.test',
        serverUrl: 'http://127.0.0.1:9',
        machineLabel: null,
        items: 2,
        locksAt: new Date(Date.now() + 60_000).toISOString(),
      },
    });
    const test = exportBridge();
    renderWithBridge(test.bridge, <ResourcesView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Export Model C' }));
    const dialog = await screen.findByRole('dialog', { name: 'Export Model C' });
    expect(within(dialog).queryByLabelText('Password')).toBeNull();
    expect(within(dialog).getByTestId('export-vault-open')).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText(/Save to/), { target: { value: '/srv/out/c.bin' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Export' }));
    await waitFor(() =>
      expect(within(dialog).getByTestId('export-result').textContent).toContain('/srv/out/c.bin'),
    );
    expect(test.calls.filter(([channel]) => channel === 'resources.exportTo')).toEqual([
      ['resources.exportTo', [{ resourceId: 'model-c', path: '/srv/out/c.bin' }]],
    ]);
  });

  it('offers the native save dialog in the desktop app only, and fills the path it returns', async () => {
    let answer: string | null = '/home/op/Downloads/Model A';
    const test = createTestBridge({
      'resources.list': () => [{ id: 'model-a', name: 'Model A', size, state: 'unlocked' }],
      'app.chooseSavePath': () => ({ path: answer }),
    });
    const { unmount } = render(
      <BridgeContext.Provider value={test.bridge}>
        <Providers>
          <ShellContext.Provider value="electron">
            <ResourcesView />
          </ShellContext.Provider>
        </Providers>
      </BridgeContext.Provider>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Export Model A' }));
    const dialog = await screen.findByRole('dialog', { name: 'Export Model A' });
    const field = within(dialog).getByLabelText(/Save to/) as HTMLInputElement;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(field.value).toBe('/home/op/Downloads/Model A'));
    expect(test.calls.filter(([channel]) => channel === 'app.chooseSavePath')).toEqual([
      ['app.chooseSavePath', [{ suggestedName: 'Model A', purpose: 'resource' }]],
    ]);
    answer = null; // cancelled: the field keeps what it had
    fireEvent.click(within(dialog).getByRole('button', { name: 'Choose…' }));
    await waitFor(() =>
      expect(test.calls.filter(([channel]) => channel === 'app.chooseSavePath')).toHaveLength(2),
    );
    expect(field.value).toBe('/home/op/Downloads/Model A');
    unmount();

    // Browser mode (the default): a path field only.
    renderWithBridge(exportBridge().bridge, <ResourcesView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Export Model A' }));
    expect(screen.queryByRole('button', { name: 'Choose…' })).toBeNull();
  });
});
