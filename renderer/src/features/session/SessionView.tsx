import { useEffect } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { ActivationForm } from './ActivationForm.tsx';
import { sessionStore, useSession } from './session.hooks.ts';
import { SignInForm } from './SignInForm.tsx';

/** Sign in & activation: which server, who is signed in, and this machine's activation. */
export function SessionView() {
  const bridge = useBridge();
  const session = useSession((state) => state.session);
  const error = useSession((state) => state.error);
  const busy = useSession((state) => state.busy);

  useEffect(() => {
    void sessionStore.getState().load(bridge);
  }, [bridge]);

  return (
    <section aria-labelledby="session-title">
      <h1 id="session-title">Sign in &amp; activation</h1>
      <p>
        Server: <code data-testid="session-server">{session?.serverUrl ?? '—'}</code>{' '}
        <span className="muted">(change it in Settings)</span>
      </p>
      <Note tone="info">
        Confirming the server certificate&apos;s fingerprint on first use is not in the console&apos;s
        contract yet; over plain http to the embedded factory there is no certificate to pin.
      </Note>
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
          <h2>Activate this machine</h2>
          <ActivationForm />
        </>
      ) : (
        <SignInForm />
      )}
    </section>
  );
}
