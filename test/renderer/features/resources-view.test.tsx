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
    fireEvent.click(await screen.findByRole('button', { name: 'Unlock' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Unlock Model A' });
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
    expect(JSON.stringify(resourcesStore.getState())).not.toContain('"pw"');
    fireEvent.click(screen.getByRole('button', { name: 'Verify manifest' }));
    expect(await screen.findByText('manifest valid')).toBeTruthy();
  });
});
