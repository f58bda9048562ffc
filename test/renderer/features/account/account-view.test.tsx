/**
 * The Account view's TOTP enrolment: the secret as text and a QR code, a code confirms it,
 * the recovery codes are shown once and gone after "saved"; the account store never holds
 * the secret or the codes. API keys show their expiry when the server gives one.
 */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountOverview } from '../../../../shared/common/contract/bridge.ts';
import { AccountView } from '../../../../renderer/src/features/account/AccountView.tsx';
import { accountStore } from '../../../../renderer/src/features/account/account.hooks.ts';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(cleanup);

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DP';
const CODES = Array.from({ length: 10 }, (_, index) => `abcd-efgh-ijkl-mn${String(index).padStart(2, '0')}`);

function overview(totp: boolean): AccountOverview {
  return {
    email: 'ada@example.test',
    role: 'admin',
    totp,
    passkeys: [],
    recoveryCodesLeft: totp ? 10 : 0,
    required: true,
    webauthnAvailable: false,
    apiKeys: [
      {
        id: 'key-1',
        name: 'ci',
        prefix: 'fk_ci',
        scopes: ['audit:read'],
        createdAt: '2026-01-01T00:00:00Z',
        expiresAt: '2020-01-01T00:00:00Z',
        lastUsedAt: null,
      },
      {
        id: 'key-2',
        name: 'forever',
        prefix: 'fk_fo',
        scopes: ['resources:read'],
        createdAt: '2026-01-01T00:00:00Z',
        expiresAt: null,
        lastUsedAt: null,
      },
    ],
    stepUpMethods: totp ? ['totp', 'recovery'] : ['password'],
  };
}

describe('account view', () => {
  it('enrols TOTP: secret and QR code, a code confirms, the recovery codes are shown once', async () => {
    let enrolled = false;
    const test = createTestBridge({
      'account.overview': () => overview(enrolled),
      'account.startTotp': () => ({
        secret: SECRET,
        otpauthUrl: `otpauth://totp/Factory:ada?secret=${SECRET}&issuer=Factory`,
      }),
      'account.confirmTotp': (input) => {
        if ((input as { code: string }).code !== '123456') throw new Error('code: not accepted');
        enrolled = true;
        return { recoveryCodes: CODES };
      },
    });
    renderWithBridge(test.bridge, <AccountView />);
    expect((await screen.findByTestId('factor-required')).textContent).toMatch(/needs a second factor/);
    const keys = screen.getByTestId('api-keys').textContent ?? '';
    expect(keys).toContain('expired');
    expect(keys).toContain('never');
    fireEvent.click(screen.getByRole('button', { name: 'Set up an authenticator app' }));
    expect((await screen.findByTestId('totp-secret')).textContent).toBe(SECRET);
    expect(screen.getByTestId('totp-qr').querySelector('svg')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Code from the app'), { target: { value: '123456' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Confirm the authenticator app' }));
    const shown = await screen.findByTestId('recovery-codes');
    expect(shown.textContent).toContain(CODES[0]);
    expect(screen.queryByTestId('totp-secret')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('totp-state').textContent).toBe('on'));
    expect(JSON.stringify(accountStore.getState())).not.toContain(SECRET);
    expect(JSON.stringify(accountStore.getState())).not.toContain(CODES[0]);
    fireEvent.click(screen.getByRole('button', { name: 'I have saved them' }));
    expect(screen.queryByTestId('recovery-codes')).toBeNull();
    expect(document.body.textContent).not.toContain(CODES[0]);
  });
});
