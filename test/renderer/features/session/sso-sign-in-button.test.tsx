/**
 * "Sign in with SSO" in the sign-in form: hidden when the server does not offer single
 * sign-on, shown when it does; in browser mode (the main side did not open the URL) the
 * view opens the provider in a new tab, and the session it gets back is shown.
 */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignInForm } from '../../../../renderer/src/features/session/SignInForm.tsx';
import { sessionStore } from '../../../../renderer/src/features/session/session.hooks.ts';
import { ssoStore } from '../../../../renderer/src/features/session/sso.store.ts';
import { createTestBridge } from '../../bridge-double.ts';
import { renderWithBridge } from '../../render-with-bridge.tsx';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  ssoStore.setState({ offered: false, busy: false, link: null, error: null });
});

const PROVIDER = 'https://idp.example/auth?client_id=factory';

describe('Sign in with SSO', () => {
  it('is not shown when the server offers no single sign-on', async () => {
    const test = createTestBridge({ 'session.signInMethods': () => ({ password: true, sso: false }) });
    renderWithBridge(test.bridge, <SignInForm />);
    await waitFor(() =>
      expect(test.calls.some(([channel]) => channel === 'session.signInMethods')).toBe(true),
    );
    expect(screen.queryByRole('button', { name: 'Sign in with SSO' })).toBeNull();
  });

  it('browser mode: opens the provider in a new tab and shows the session it gets back', async () => {
    const opened: string[] = [];
    vi.spyOn(window, 'open').mockImplementation((url) => {
      opened.push(String(url));
      return null;
    });
    const test = createTestBridge({
      'session.signInMethods': () => ({ password: true, sso: true }),
      'session.startSso': () => ({ authorizationUrl: PROVIDER, opened: false }),
      'session.completeSso': () => ({
        signedIn: true,
        email: 'ops@corp.example',
        role: 'operator',
        serverUrl: 'https://factory.example',
      }),
    });
    renderWithBridge(test.bridge, <SignInForm />);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in with SSO' }));
    await waitFor(() => expect(sessionStore.getState().session?.email).toBe('ops@corp.example'));
    expect(opened).toEqual([PROVIDER]);
  });

  it('desktop: the main side opened the system browser, the view opens nothing', async () => {
    const open = vi.spyOn(window, 'open').mockImplementation(() => null);
    const test = createTestBridge({
      'session.signInMethods': () => ({ password: true, sso: true }),
      'session.startSso': () => ({ authorizationUrl: PROVIDER, opened: true }),
      'session.completeSso': () => {
        throw new Error('Single sign-on was refused (no_role)');
      },
    });
    renderWithBridge(test.bridge, <SignInForm />);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in with SSO' }));
    expect((await screen.findByRole('alert')).textContent).toContain('no_role');
    expect(open).not.toHaveBeenCalled();
  });
});
