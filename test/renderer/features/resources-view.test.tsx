import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { UnlockProgress } from '../../../shared/common/contract/bridge.ts';
import { ResourcesView } from '../../../renderer/src/features/resources/ResourcesView.tsx';
import { resourcesStore } from '../../../renderer/src/features/resources/resources.hooks.ts';
import { createTestBridge } from '../bridge-double.ts';
import { renderWithBridge } from '../render-with-bridge.tsx';

afterEach(cleanup);

describe('resources', () => {
  it('unlocks with a password, shows bytes, rate and ETA, and cancels by job id', async () => {
    const size = 8 * 1024 * 1024;
    const test = createTestBridge({
      'resources.list': () => [{ id: 'model-a', name: 'Model A', size, state: 'locked' }],
      'resources.unlock': () => ({ jobId: 'job-1', resourceId: 'model-a' }),
      'resources.cancelUnlock': () => ({ cancelled: true }),
      'resources.verifyManifest': () => ({ valid: true }),
    });
    renderWithBridge(test.bridge, <ResourcesView />);
    // The shell (App) follows unlock progress for every view; here the test does.
    const stopFollowing = resourcesStore.getState().follow(test.bridge);
    fireEvent.click(await screen.findByRole('button', { name: 'Unlock' }));
    const dialog = await screen.findByRole('dialog', { name: 'Unlock Model A' });
    fireEvent.change(dialog.querySelector('input[type="password"]') as HTMLInputElement, {
      target: { value: 'pw' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Unlock' }));
    await waitFor(() => expect(test.calls.some(([channel]) => channel === 'resources.unlock')).toBe(true));
    const progress: UnlockProgress = {
      jobId: 'job-1',
      resourceId: 'model-a',
      phase: 'download',
      bytes: size / 4,
      totalBytes: size,
      bytesPerSecond: 1024 * 1024,
      etaSeconds: 6,
    };
    test.emit('resources.onUnlockProgress', progress);
    const bytes = await screen.findByTestId('progress-bytes');
    expect(bytes.textContent).toBe('2.0 MiB of 8.0 MiB');
    expect(screen.getByTestId('progress').textContent).toContain('1.0 MiB/s');
    expect(screen.getByTestId('progress').textContent).toContain('6 s left');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() =>
      expect(test.calls.find(([channel]) => channel === 'resources.cancelUnlock')?.[1]).toEqual([
        { jobId: 'job-1' },
      ]),
    );
    stopFollowing();
    expect(JSON.stringify(resourcesStore.getState())).not.toContain('"pw"');
    fireEvent.click(screen.getByRole('button', { name: 'Verify manifest' }));
    expect(await screen.findByText('manifest valid')).toBeTruthy();
  });

  it('shows each version, and for vault copies the days their lease has left (or that it ran out)', async () => {
    const day = 86_400_000;
    const test = createTestBridge({
      'resources.list': () => [
        { id: 'a', name: 'Alpha', version: '2.1.0', size: 10, state: 'locked', leaseValidUntil: null },
        {
          id: 'b',
          name: 'Beta',
          version: '1.0.0',
          size: 10,
          state: 'offline',
          leaseValidUntil: new Date(Date.now() + 12 * day + 3_600_000).toISOString(),
        },
        {
          id: 'c',
          name: 'Gamma',
          version: '0.9.1',
          size: 10,
          state: 'unlocked',
          leaseValidUntil: new Date(Date.now() - day).toISOString(),
        },
      ],
    });
    resourcesStore.setState({ resources: null, progress: {}, verified: {}, exports: {} });
    renderWithBridge(test.bridge, <ResourcesView />);
    const row = async (name: string) => (await screen.findByText(name)).closest('tr') as HTMLElement;
    const cells = async (name: string) =>
      [...(await row(name)).querySelectorAll('td')].map((cell) => cell.textContent);
    expect((await cells('Alpha')).slice(0, 3)).toEqual(['2.1.0', '10 B', 'locked']);
    expect((await cells('Beta'))[2]).toBe('offline lease · 12 days left');
    expect((await cells('Gamma'))[2]).toBe('in vault · lease expired: unlock online to renew');
    expect((await row('Gamma')).querySelector('.lease-expired')).not.toBeNull();
  });
});
