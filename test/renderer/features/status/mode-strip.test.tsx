import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { FactoryStatus } from '../../../../shared/common/contract/bridge.ts';
import { ModeStrip as ModeBanner } from '../../../../renderer/src/features/status/ModeStrip.tsx';
import { StatusView } from '../../../../renderer/src/features/status/StatusView.tsx';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(cleanup);

function status(patch: Partial<FactoryStatus>): FactoryStatus {
  return {
    reachable: true,
    serverUrl: 'http://127.0.0.1:7',
    embedded: false,
    mode: 'production',
    publicDemo: false,
    debug: false,
    version: '1.2.3',
    uptimeSeconds: 3725,
    tls: 'on',
    posture: [
      { id: 'tls', ok: true, severity: 'critical', detail: 'TLS on', fix: 'turn TLS on' },
      { id: 'cors', ok: false, severity: 'warning', detail: 'CORS allows *', fix: 'list your origins' },
    ],
    checkedAt: '2026-01-01T00:00:00.000Z',
    problem: null,
    ...patch,
  };
}

function bridgeWith(value: FactoryStatus) {
  return createTestBridge({
    'status.get': () => value,
    'app.info': () => ({ name: 'Factory Console', version: '0', shell: 'browser', embeddedAdminEmail: null }),
  });
}

describe('mode banner and status', () => {
  it('says what a public demo refuses, with no way to dismiss it', async () => {
    renderWithBridge(bridgeWith(status({ mode: 'demo', publicDemo: true })).bridge, <ModeBanner />);
    const banner = await screen.findByTestId('mode-banner');
    expect(screen.getByTestId('mode').textContent).toBe('demo');
    expect(banner.textContent).toContain('changes are refused with demo_read_only');
    // Demo mode keeps the unlock path open (server/status: the modes test pins it): say so.
    expect(banner.textContent).toContain('activating this machine to unlock the sample work');
    expect(banner.querySelector('button')).toBeNull();
  });

  it('marks debug loudly and production plainly', async () => {
    renderWithBridge(bridgeWith(status({ debug: true })).bridge, <ModeBanner />);
    const banner = await screen.findByTestId('mode-banner');
    expect(banner.className).toContain('banner-debug');
    expect(banner.textContent).toContain('DEBUG is on');
  });

  it('lists the posture failing first, with its severity and the fix only where needed', async () => {
    const test = bridgeWith(status({}));
    renderWithBridge(
      test.bridge,
      <>
        <ModeBanner />
        <StatusView />
      </>,
    );
    const rows = (await screen.findByTestId('posture')).querySelectorAll('tbody tr');
    expect([...rows].map((row) => [...row.children].map((cell) => cell.textContent))).toEqual([
      ['warning', 'cors', 'CORS allows *Fix: list your origins'],
      ['ok', 'tls', 'TLS on'],
    ]);
    expect(screen.getByText('1 h 2 min')).toBeTruthy();
    expect(screen.getByText('1.2.3')).toBeTruthy();
  });
});
