import { useState, type FormEvent } from 'react';
import type { VaultState } from '../../../../shared/common/contract/bridge.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { vaultStore, useVault } from './vault.hooks.ts';
import { PasswordField } from '../../ui/PasswordField.tsx';

/**
 * The locked screen of an activated console: only the password of the account the
 * machine was activated for. It opens the machine key here (no server needed); when
 * the activation's server answers, the same password also signs in. The password
 * lives in this form only until it is sent, then it is cleared.
 */
export function LockScreen({
  vault,
  onUnlocked,
  onDismiss,
}: {
  vault: VaultState;
  /** After a successful unlock (the shell shows the vault's resources). */
  onUnlocked(): void;
  /** "Not now" (the shell shows the sign-in view). */
  onDismiss(): void;
}) {
  const bridge = useBridge();
  const busy = useVault((state) => state.busy);
  const error = useVault((state) => state.error);
  const [password, setPassword] = useState('');

  function submit(event: FormEvent): void {
    event.preventDefault();
    const secret = password;
    setPassword('');
    if (!secret) return;
    void vaultStore
      .getState()
      .unlock(bridge, secret)
      .then((unlocked) => {
        if (unlocked) onUnlocked();
      });
  }

  return (
    <main className="lock-screen" data-view="locked" data-testid="lock-screen">
      <section aria-labelledby="lock-title">
        <h1 id="lock-title">Factory Console is locked</h1>
        <p>
          This machine is activated for <strong data-testid="lock-email">{vault.email}</strong>
          {vault.machineLabel ? <> as {vault.machineLabel}</> : null} with <code>{vault.serverUrl}</code>.{' '}
          {vault.items === 0
            ? 'Its vault is empty: resources are unlocked into it online.'
            : `${vault.items === 1 ? 'One item is' : `${vault.items} items are`} in its vault, usable offline.`}
        </p>
        <ErrorNote error={error} testId="lock-error" />
        <form className="form" onSubmit={submit} aria-label="Unlock the vault">
          {/* The one field of this screen: typing starts at once. */}
          <PasswordField value={password} onChange={setPassword} autoFocus />
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Unlocking… (about a second: the key is deliberately slow to derive)' : 'Unlock'}
          </button>
        </form>
        <p className="muted">
          The password opens this machine&apos;s key here, without the server, and only if the hardware still
          matches. If the server answers, you are signed in too.
        </p>
        <button
          type="button"
          className="button"
          onClick={() => {
            vaultStore.getState().dismiss();
            onDismiss();
          }}
        >
          Not now: sign in as someone else, or look around
        </button>
      </section>
    </main>
  );
}

/** In the nav: lock now (with when it locks by itself), or get the locked screen back. */
export function LockControl() {
  const bridge = useBridge();
  const vault = useVault((state) => state.vault);
  if (!vault?.activated) return null;
  if (vault.locked)
    return (
      <button
        type="button"
        className="button nav-lock"
        onClick={() => vaultStore.setState({ dismissed: false })}
      >
        Unlock vault…
      </button>
    );
  return (
    <div className="nav-lock">
      <button
        type="button"
        className="button"
        data-testid="lock-now"
        onClick={() => void vaultStore.getState().lock(bridge)}
      >
        Lock
      </button>
      {vault.locksAt ? (
        <span className="muted"> locks by itself at {new Date(vault.locksAt).toLocaleTimeString()}</span>
      ) : null}
    </div>
  );
}
