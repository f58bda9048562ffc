import { Suspense, useEffect, useState } from 'react';
import { ModeBanner } from '../features/status/ModeBanner.tsx';
import { sessionStore, useSession } from '../features/session/session.hooks.ts';
import { useSettingsAtStart } from '../features/settings/settings.hooks.ts';
import { LockControl, LockScreen } from '../features/vault/LockScreen.tsx';
import { vaultStore, useVault } from '../features/vault/vault.hooks.ts';
import { useBridge } from './bridge-context.ts';
import { ShellContext } from './shell-context.ts';
import '../ui/ui.css';
import { views } from './views.ts';

/** The shell: a nav built from the view registry and the selected view. */
export function App({ shell }: { shell: 'electron' | 'browser' }) {
  const [current, setCurrent] = useState(views[0]?.id ?? '');
  const view = views.find((candidate) => candidate.id === current) ?? views[0];
  const View = view?.component;
  useSettingsAtStart();
  const locked = useLockedScreen();
  if (locked)
    return (
      <LockScreen
        vault={locked}
        onUnlocked={() => setCurrent('resources')}
        onDismiss={() => setCurrent('session')}
      />
    );
  return (
    <ShellContext.Provider value={shell}>
      <div className="shell">
        <nav aria-label="Console">
          <div className="brand">
            Factory Console{' '}
            <span className="shell-kind">{shell === 'browser' ? 'browser mode' : 'desktop'}</span>
          </div>
          <ul>
            {views.map((candidate) => (
              <li key={candidate.id}>
                <button
                  type="button"
                  aria-current={candidate.id === view?.id ? 'page' : undefined}
                  onClick={() => setCurrent(candidate.id)}
                >
                  {candidate.label}
                </button>
              </li>
            ))}
          </ul>
          <LockControl />
        </nav>
        <main data-view={view?.id}>
          <ModeBanner />
          <Suspense fallback={<p className="muted">Loading…</p>}>{View ? <View /> : null}</Suspense>
        </main>
      </div>
    </ShellContext.Provider>
  );
}

/**
 * The vault's state, followed from the start; returns it when the locked screen is due:
 * an activated machine, locked, nobody signed in, and the operator neither chose "not
 * now" nor signed in since the page opened (or the vault was locked again since).
 */
function useLockedScreen() {
  const bridge = useBridge();
  const vault = useVault((state) => state.vault);
  const dismissed = useVault((state) => state.dismissed);
  const signedIn = useSession((state) => state.session?.signedIn ?? false);
  useEffect(() => {
    void vaultStore.getState().load(bridge);
    void sessionStore.getState().load(bridge);
    return vaultStore.getState().follow(bridge);
  }, [bridge]);
  // Once someone signed in on this page, a sign-out or a server change leads to the
  // sign-in view, not the locked screen; locking (the button, idle time) brings it back.
  useEffect(() => {
    if (signedIn && !dismissed) vaultStore.setState({ dismissed: true });
  }, [signedIn, dismissed]);
  return vault?.activated && vault.locked && !signedIn && !dismissed ? vault : null;
}
