import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerIdentity } from '../../../../shared/common/contract/bridge.ts';
import { ServerPicker } from '../../../../renderer/src/features/connection/ServerPicker.tsx';
import { serverStore } from '../../../../renderer/src/features/connection/server.hooks.ts';
import { createTestBridge, type Handler } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(() => {
  cleanup();
  serverStore.getState().clear();
});

const url = 'https://factory.example.test:8443';
const presented = Array.from({ length: 32 }, (_, index) => (index * 7 + 16).toString(16).toUpperCase()).join(
  ':',
);
const pinnedBefore = 'AA:'.repeat(31) + 'AA';

function identity(trust: ServerIdentity['trust']): ServerIdentity {
  return {
    origin: url,
    trust,
    presented: trust === 'plain_http' ? null : presented,
    pinned: trust === 'changed' ? pinnedBefore : trust === 'trusted' ? presented : null,
    subject: 'CN=factory.example.test',
    validTo: '2030-01-01T00:00:00.000Z',
  };
}

function bridgeFor(trust: ServerIdentity['trust'], extra: Record<string, Handler> = {}) {
  return createTestBridge({
    'server.inspect': () => identity(trust),
    'server.trust': () => identity('trusted'),
    'settings.update': (patch) => ({ serverUrl: (patch as { serverUrl: string | null }).serverUrl }),
    ...extra,
  });
}

async function check(address: string): Promise<void> {
  fireEvent.change(screen.getByLabelText(/Factory API address/), { target: { value: address } });
  fireEvent.submit(screen.getByRole('form', { name: 'Server' }));
}

const channels = (test: ReturnType<typeof createTestBridge>) => test.calls.map(([channel]) => channel);
const trustButton = () =>
  screen.getByRole('button', { name: 'Trust this certificate and use the server' }) as HTMLButtonElement;

describe('the server certificate on first use', () => {
  it('shows the fingerprint, and trusts only after a match or an explicit comparison', async () => {
    const test = bridgeFor('new');
    renderWithBridge(test.bridge, <ServerPicker current={null} />);
    await check(url);
    expect((await screen.findByTestId('presented-fingerprint')).textContent).toBe(presented);
    expect(screen.getByText('CN=factory.example.test')).toBeTruthy();
    expect(trustButton().disabled).toBe(true);

    const given = screen.getByLabelText(/Fingerprint you were given/);
    fireEvent.change(given, { target: { value: pinnedBefore } });
    expect(screen.getByTestId('fingerprint-mismatch')).toBeTruthy();
    expect(trustButton().disabled).toBe(true);

    // Lower case, no colons, with a prefix: the same fingerprint.
    const spelled = `sha256/${presented.replace(/:/g, '').toLowerCase()}`;
    fireEvent.change(given, { target: { value: spelled } });
    expect(screen.getByTestId('fingerprint-match')).toBeTruthy();
    fireEvent.click(trustButton());
    expect((await screen.findByTestId('server-applied')).textContent).toContain(url);
    const changes = test.calls.filter(
      ([channel]) => channel === 'server.trust' || channel === 'settings.update',
    );
    expect(changes).toEqual([
      ['server.trust', [{ url, fingerprint256: spelled }]],
      ['settings.update', [{ serverUrl: url }]],
    ]);
    // After the change the page reloads who is signed in and the vault's state.
    await waitFor(() =>
      expect(channels(test)).toEqual(expect.arrayContaining(['session.getState', 'vault.getState'])),
    );
  });

  it('accepts a visual comparison of a new certificate with the tick box', async () => {
    const test = bridgeFor('new');
    renderWithBridge(test.bridge, <ServerPicker current={null} />);
    await check(url);
    await screen.findByTestId('presented-fingerprint');
    fireEvent.click(screen.getByLabelText(/compared every character/));
    fireEvent.click(trustButton());
    await screen.findByTestId('server-applied');
    expect(test.calls.find(([channel]) => channel === 'server.trust')?.[1]).toEqual([
      { url, fingerprint256: presented },
    ]);
  });

  it('demands the new fingerprint when the certificate changed (no tick box)', async () => {
    const test = bridgeFor('changed');
    renderWithBridge(test.bridge, <ServerPicker current={url} />);
    await check(url);
    expect((await screen.findByTestId('certificate-changed')).textContent).toContain(pinnedBefore);
    expect(screen.queryByLabelText(/compared every character/)).toBeNull();
    expect(trustButton().disabled).toBe(true);
    fireEvent.change(screen.getByLabelText(/Fingerprint you were given/), { target: { value: presented } });
    expect(trustButton().disabled).toBe(false);
  });

  it('shows a refusal from the main side with what to do, and selects nothing', async () => {
    const test = bridgeFor('new', {
      'server.trust': () => {
        throw new Error('The server presents another certificate now');
      },
    });
    renderWithBridge(test.bridge, <ServerPicker current={null} />);
    await check(url);
    await screen.findByTestId('presented-fingerprint');
    fireEvent.click(screen.getByLabelText(/compared every character/));
    fireEvent.click(trustButton());
    expect((await screen.findByTestId('server-error')).textContent).toContain('another certificate');
    expect(channels(test)).not.toContain('settings.update');
  });

  it('warns about plain http away from this machine, and uses the embedded factory for an empty address', async () => {
    const test = bridgeFor('plain_http', {
      'server.inspect': () => ({ ...identity('plain_http'), origin: 'http://factory.example.test:80' }),
    });
    renderWithBridge(test.bridge, <ServerPicker current="http://factory.example.test" />);
    await check('http://factory.example.test');
    const card = await screen.findByTestId('server-identity');
    expect(card.dataset.trust).toBe('plain_http');
    expect(card.querySelector('.note-warning')?.textContent).toContain('Use https');
    await check('  ');
    await waitFor(() =>
      expect(test.calls.filter(([channel]) => channel === 'settings.update')).toEqual([
        ['settings.update', [{ serverUrl: null }]],
      ]),
    );
    expect(channels(test)).not.toContain('server.trust');
  });
});
