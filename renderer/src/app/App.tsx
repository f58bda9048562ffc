import { Center, Loader, NavLink } from '@mantine/core';
import { lazy, Suspense, useEffect, useState } from 'react';
import { resourcesStore } from '../features/resources/resources.hooks.ts';
import { sessionStore, useSession } from '../features/session/session.hooks.ts';
import { useSettingsAtStart } from '../features/settings/settings.hooks.ts';
import { vaultStore, useVault } from '../features/vault/vault.hooks.ts';
import { AppHeader } from './AppHeader.tsx';
import { useBridge } from './bridge-context.ts';
import { NavigationContext } from './navigation.ts';
import { ShellContext } from './shell-context.ts';
import { visibleViews } from './views.ts';

// Shown only on demand (a step-up prompt, a locked vault): own chunks, fetched once the shell is up.
const loadLockScreen = () => import('../features/vault/LockScreen.tsx');
const StepUpDialog = lazy(() =>
  import('../features/account/StepUpDialog.tsx').then((m) => ({ default: m.StepUpDialog })),
);
const LockScreen = lazy(() => loadLockScreen().then((m) => ({ default: m.LockScreen })));

/**
 * The shell: a header (account and role, server, vault, the mode strip), a nav built
 * from the views this role may see, and the selected view. A view the role lost (a
 * sign-out, an expired session) gives way to Status.
 */
export function App({ shell }: { shell: 'electron' | 'browser' }) {
  const bridge = useBridge();
  const role = useSession((state) => (state.session?.signedIn ? state.session.role : null));
  const activated = useVault((state) => state.vault?.activated ?? false);
  const available = visibleViews(role, activated);
  const [current, setCurrent] = useState(available[0]?.id ?? '');
  const view = available.find((candidate) => candidate.id === current) ?? available[0];
  const View = view?.component;
  useSettingsAtStart();
  // Fetched after the first paint, so a locked vault's screen is ready when the vault state arrives.
  useEffect(() => void loadLockScreen(), []);
  // Unlocks finish wherever the operator is: their progress and the refreshed list are kept.
  useEffect(() => resourcesStore.getState().follow(bridge), [bridge]);
  const locked = useLockedScreen();
  if (locked)
    return (
      <Suspense fallback={null}>
        <LockScreen
          vault={locked}
          onUnlocked={() => setCurrent('resources')}
          onDismiss={() => setCurrent('session')}
        />
      </Suspense>
    );
  return (
    <ShellContext.Provider value={shell}>
      <NavigationContext.Provider value={setCurrent}>
        {/* A plain grid, not Mantine's AppShell: AppShell sizes itself with a run-time <style>, which the CSP refuses. */}
        <div className="frame">
          <header className="frame-header">
            <AppHeader shell={shell} onNavigate={setCurrent} />
          </header>
          <nav aria-label="Console" className="frame-nav">
            {available.map((candidate) => (
              <NavLink
                key={candidate.id}
                component="button"
                type="button"
                label={candidate.label}
                active={candidate.id === view?.id}
                aria-current={candidate.id === view?.id ? 'page' : undefined}
                onClick={() => setCurrent(candidate.id)}
                className="nav-item"
              />
            ))}
          </nav>
          <main data-view={view?.id} className="frame-main">
            <Suspense
              fallback={
                <Center h={200}>
                  <Loader size="sm" aria-label="Loading the view" />
                </Center>
              }
            >
              {View ? <View /> : null}
            </Suspense>
          </main>
        </div>
        <Suspense fallback={null}>
          <StepUpDialog />
        </Suspense>
      </NavigationContext.Provider>
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
    const unfollowSession = sessionStore.getState().follow(bridge);
    const unfollowVault = vaultStore.getState().follow(bridge);
    return () => {
      unfollowSession();
      unfollowVault();
    };
  }, [bridge]);
  // Once someone signed in on this page, a sign-out or a server change leads to the
  // sign-in view, not the locked screen; locking (the button, idle time) brings it back.
  useEffect(() => {
    if (signedIn && !dismissed) vaultStore.setState({ dismissed: true });
  }, [signedIn, dismissed]);
  return vault?.activated && vault.locked && !signedIn && !dismissed ? vault : null;
}
