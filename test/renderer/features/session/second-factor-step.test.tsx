/**
 * The sign-in's factor step: shown while the state says a sign-in waits for a factor; the
 * code goes to `session.verifyFactor` once and the field is cleared; a refused code keeps
 * the step with its message; a recovery code can be used instead; "back" abandons the
 * pending sign-in. No store holds the code.
 */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionState } from '../../../../shared/common/contract/bridge.ts';
import { SessionView } from '../../../../renderer/src/features/session/SessionView.tsx';
import { sessionStore } from '../../../../renderer/src/features/session/session.hooks.ts';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(cleanup);

const pending: SessionState = {
  signedIn: false,
  email: null,
  role: null,
  serverUrl: 'http://127.0.0.1:9',
  secondFactor: { methods: ['totp', 'recovery'] },
};

describe('the factor step of a sign-in', () => {
  it('sends the code once, clears it, keeps the step on a refusal and signs in on a good code', async () => {
    sessionStore.setState({ session: null, error: null, busy: false });
    let state: SessionState = pending;
    const test = createTestBridge({
      'session.getState': () => state,
      'session.verifyFactor': (input) => {
        const { code } = input as { code: string };
        if (code !== '246810') throw new Error('the totp code or key was not accepted');
        state = { signedIn: true, email: 'ada@example.test', role: 'admin', serverUrl: pending.serverUrl };
        return state;
      },
    });
    renderWithBridge(test.bridge, <SessionView />);
    const field = (await screen.findByLabelText('Authenticator code')) as HTMLInputElement;
    expect(screen.queryByRole('form', { name: 'Sign in' })).toBeNull();
    fireEvent.change(field, { target: { value: '111111' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Second factor' }));
    expect(field.value).toBe('');
    await waitFor(() => expect(screen.getByTestId('session-error').textContent).toMatch(/not accepted/));
    expect(screen.getByTestId('second-factor')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Authenticator code'), { target: { value: '246810' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Second factor' }));
    await screen.findByTestId('signed-in');
    expect(
      test.calls.filter(([channel]) => channel === 'session.verifyFactor').map(([, args]) => args),
    ).toEqual([[{ method: 'totp', code: '111111' }], [{ method: 'totp', code: '246810' }]]);
    expect(JSON.stringify(sessionStore.getState())).not.toContain('246810');
  });

  it('offers a recovery code and going back to the password', async () => {
    sessionStore.setState({ session: null, error: null, busy: false });
    let state: SessionState = pending;
    const test = createTestBridge({
      'session.getState': () => state,
      'session.cancelFactor': () => {
        state = { signedIn: false, email: null, role: null, serverUrl: pending.serverUrl };
        return state;
      },
    });
    renderWithBridge(test.bridge, <SessionView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Use a recovery code' }));
    expect(screen.getByLabelText('Recovery code')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Use a passkey' })).toBeNull(); // no passkey offered
    fireEvent.click(screen.getByRole('button', { name: 'Back to the password' }));
    await screen.findByRole('form', { name: 'Sign in' });
    expect(test.calls.map(([channel]) => channel)).toContain('session.cancelFactor');
  });
});
