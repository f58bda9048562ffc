// Mantine's stylesheets this screen needs beyond the shell's list (main.tsx), in styles.css order.
import '@mantine/core/styles/ActionIcon.css';
import '@mantine/core/styles/PasswordInput.css';
import { Button, Paper, Stack, Text, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { VaultState } from '../../../../shared/common/contract/bridge.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { vaultStore, useVault } from './vault.hooks.ts';
import { emptyPasswordMessage, PasswordField } from '../../ui/PasswordField.tsx';

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
  const [problem, setProblem] = useState<string | undefined>();

  function submit(event: FormEvent): void {
    event.preventDefault();
    const secret = password;
    setPassword('');
    if (!secret) {
      setProblem(emptyPasswordMessage);
      return;
    }
    void vaultStore
      .getState()
      .unlock(bridge, secret)
      .then((unlocked) => {
        if (unlocked) onUnlocked();
      });
  }

  return (
    <main className="lock-screen" data-view="locked" data-testid="lock-screen">
      <Paper component="section" withBorder p="lg" radius="md" shadow="sm" aria-labelledby="lock-title">
        <Stack gap="sm">
          <Title order={1} id="lock-title">
            Factory Console is locked
          </Title>
          <Text size="sm">
            This machine is activated for <strong data-testid="lock-email">{vault.email}</strong>
            {vault.machineLabel ? <> as {vault.machineLabel}</> : null} with <code>{vault.serverUrl}</code>.{' '}
            {vault.items === 0
              ? 'Its vault is empty: resources are unlocked into it online.'
              : `${vault.items === 1 ? 'One item is' : `${vault.items} items are`} in its vault, usable offline.`}
          </Text>
          <ErrorNote error={error} testId="lock-error" view="locked" />
          <form onSubmit={submit} aria-label="Unlock the vault" noValidate>
            <Stack gap="sm">
              {/* The one field of this screen: typing starts at once. */}
              <PasswordField
                value={password}
                onChange={(value) => {
                  setPassword(value);
                  setProblem(undefined);
                }}
                autoFocus
                error={problem}
              />
              <Button type="submit" loading={busy}>
                Unlock
              </Button>
              {busy ? (
                <Text size="xs" c="dimmed" role="status">
                  About a second: the key is deliberately slow to derive.
                </Text>
              ) : null}
            </Stack>
          </form>
          <Text size="xs" c="dimmed">
            The password opens this machine&apos;s key here, without the server, and only if the hardware
            still matches. If the server answers, you are signed in too.
          </Text>
          <Button
            variant="subtle"
            onClick={() => {
              vaultStore.getState().dismiss();
              onDismiss();
            }}
          >
            Not now: sign in as someone else, or look around
          </Button>
        </Stack>
      </Paper>
    </main>
  );
}
