/**
 * The Account view's Sessions card: the account's live sessions with the console's own one
 * marked "this session" and no Revoke; revoking another asks first, calls the bridge with
 * that session's id and reads the list again.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountOverview, SessionSummary } from '../../../../shared/common/contract/bridge.ts';
import { AccountView } from '../../../../renderer/src/features/account/AccountView.tsx';
import { accountStore } from '../../../../renderer/src/features/account/account.hooks.ts';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(cleanup);
beforeEach(() => accountStore.setState({ overview: null, sessions: null, error: null, busy: false }));

const CURRENT = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

const overview: AccountOverview = {
  email: 'ada@example.test',
  role: 'admin',
  totp: true,
  passkeys: [],
  recoveryCodesLeft: 10,
  required: false,
  webauthnAvailable: false,
  apiKeys: [],
  stepUpMethods: ['totp', 'recovery'],
};

function session(id: string, via: string, current: boolean): SessionSummary {
  return {
    id,
    via,
    createdAt: '2026-01-01T00:00:00Z',
    lastUsedAt: '2026-01-02T00:00:00Z',
    expiresAt: '2099-01-01T00:00:00Z',
    current,
  };
}

describe('sessions card', () => {
  it('lists the sessions, marks the current one without Revoke, and revokes another after a confirmation', async () => {
    let live = [session(CURRENT, 'password', true), session(OTHER, 'sso', false)];
    const test = createTestBridge({
      'account.overview': () => overview,
      'account.sessions': () => live,
      'account.revokeSession': (input) => {
        live = live.filter((entry) => entry.id !== (input as { id: string }).id);
        return { revoked: true };
      },
    });
    renderWithBridge(test.bridge, <AccountView />);
    const current = await screen.findByTestId(`session-${CURRENT}`);
    const other = screen.getByTestId(`session-${OTHER}`);
    expect(current.textContent).toContain('this session');
    expect(current.textContent).toContain('password');
    expect(within(current).queryByRole('button', { name: 'Revoke' })).toBeNull();
    expect(other.textContent).toContain('sso');
    expect(other.textContent).not.toContain('this session');
    expect(other.querySelectorAll('time').length).toBeGreaterThan(0);

    fireEvent.click(within(other).getByRole('button', { name: 'Revoke' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke this session?' });
    expect(test.calls.filter(([channel]) => channel === 'account.revokeSession')).toHaveLength(0);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke' }));

    await waitFor(() => expect(screen.queryByTestId(`session-${OTHER}`)).toBeNull());
    expect(test.calls.filter(([channel]) => channel === 'account.revokeSession')).toEqual([
      ['account.revokeSession', [{ id: OTHER }]],
    ]);
    expect(test.calls.filter(([channel]) => channel === 'account.sessions').length).toBe(2);
    expect(screen.getByTestId(`session-${CURRENT}`)).toBeTruthy();
  });
});
