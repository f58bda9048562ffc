import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionView } from '../../../../renderer/src/features/session/SessionView.tsx';
import { sessionStore } from '../../../../renderer/src/features/session/session.hooks.ts';
import { machineStore } from '../../../../renderer/src/features/machine/machine.hooks.ts';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(cleanup);

const secret = 'correct horse battery staple';

describe('sign in and activation', () => {
  it('sends the password once, clears the field and keeps it out of every store', async () => {
    let signedIn = false;
    const test = createTestBridge({
      'session.getState': () => ({
        signedIn,
        email: signedIn ? 'ada@example.test' : null,
        role: signedIn ? 'admin' : null,
        serverUrl: 'http://127.0.0.1:9',
      }),
      'session.login': (input) => {
        const { email, password } = input as { email: string; password: string };
        if (password !== secret) throw new Error('wrong password');
        signedIn = true;
        return { signedIn, email, role: 'admin', serverUrl: 'http://127.0.0.1:9' };
      },
    });
    renderWithBridge(test.bridge, <SessionView />);
    expect(await screen.findByText('http://127.0.0.1:9')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ada@example.test' } });
    const password = screen.getByLabelText('Password') as HTMLInputElement;
    fireEvent.change(password, { target: { value: secret } });
    fireEvent.submit(screen.getByRole('form', { name: 'Sign in' }));
    expect(password.value).toBe('');
    await screen.findByTestId('signed-in');
    expect(screen.getByTestId('signed-in').textContent).toContain('ada@example.test');
    expect(test.calls.find(([channel]) => channel === 'session.login')?.[1]).toEqual([
      { email: 'ada@example.test', password: secret },
    ]);
    expect(JSON.stringify(sessionStore.getState())).not.toContain(secret);

    // Activation answers `unavailable` here (as the console does today): the UI says so.
    fireEvent.change(screen.getByLabelText('Machine label'), { target: { value: 'bench-1' } });
    const activationPassword = screen.getAllByLabelText('Password')[0] as HTMLInputElement;
    fireEvent.change(activationPassword, { target: { value: secret } });
    fireEvent.submit(screen.getByRole('form', { name: 'Activate this machine' }));
    expect(activationPassword.value).toBe('');
    await waitFor(() => expect(screen.getByTestId('activation-error').textContent).toContain('unavailable'));
    expect(JSON.stringify(machineStore.getState())).not.toContain(secret);
  });

  it('shows a failed sign-in with what to do', async () => {
    sessionStore.setState({ session: null, error: null });
    const test = createTestBridge({
      'session.getState': () => ({ signedIn: false, email: null, role: null, serverUrl: null }),
    });
    renderWithBridge(test.bridge, <SessionView />);
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ada@example.test' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'x' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Sign in' }));
    await waitFor(() => expect(test.calls.map(([channel]) => channel)).toContain('session.login'));
    const error = await screen.findByTestId('session-error');
    expect(error.textContent).toContain('unavailable');
    expect(error.textContent).toContain('check the address and that the server is running');
  });
});
