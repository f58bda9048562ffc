import { useEffect } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { ServerPicker } from '../connection/ServerPicker.tsx';
import { ActivationForm } from './ActivationForm.tsx';
import { useSettings } from '../settings/settings.hooks.ts';
import { sessionStore, useSession } from './session.hooks.ts';
import { SignInForm } from './SignInForm.tsx';

/** Sign in & activation: which server, who is signed in, and this machine's activation. */
export function SessionView() {
  const bridge = useBridge();
  const session = useSession((state) => state.session);
  const error = useSession((state) => state.error);
  const busy = useSession((state) => state.busy);
  // The configured address (null: the embedded factory), as opposed to the one connected.
  const configured = useSettings((state) => state.settings?.serverUrl ?? null);

  useEffect(() => {
    void sessionStore.getState().load(bridge);
  }, [bridge]);

  return (
    <section aria-labelledby="session-title">
      <h1 id="session-title">Sign in &amp; activation</h1>
      <h2>1. Server</h2>
      <p>
        Connected to: <code data-testid="session-server">{session?.serverUrl ?? '—'}</code>
      </p>
      <ServerPicker key={configured ?? ''} current={configured} />
      <h2>2. {session?.signedIn ? 'Signed in' : 'Sign in'}</h2>
      <ErrorNote error={error} testId="session-error" />
      {session?.signedIn ? (
        <>
          <Note tone="success" testId="signed-in">
            Signed in as <strong>{session.email}</strong> ({session.role}).
          </Note>
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void sessionStore.getState().logout(bridge)}
          >
            Sign out
          </button>
          <h2>3. Activate this machine</h2>
          <ActivationForm />
        </>
      ) : (
        <SignInForm />
      )}
    </section>
  );
}
