// Mantine's stylesheets this view needs beyond the shell's list (main.tsx), in styles.css order.
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Code.css';
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/SimpleGrid.css';
import { Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { ApiKeysTable } from './ApiKeysTable.tsx';
import { PasskeySection } from './PasskeySection.tsx';
import { SessionsTable } from './SessionsTable.tsx';
import { TotpSection } from './TotpSection.tsx';
import { accountStore, useAccount } from './account.hooks.ts';

/**
 * The signed-in account (docs/IDENTITY.md §The console): its second factors (authenticator
 * app, passkeys, recovery codes), its API keys and its sessions. Changing a factor is a sensitive action:
 * the shell's step-up prompt asks for a recent proof first when the server wants one.
 */
export function AccountView() {
  const bridge = useBridge();
  const overview = useAccount((state) => state.overview);
  const error = useAccount((state) => state.error);

  useEffect(() => {
    void accountStore.getState().load(bridge);
  }, [bridge]);

  return (
    <section aria-labelledby="account-title">
      <Title order={1} id="account-title" className="view-title">
        Account
      </Title>
      <ErrorNote error={error} testId="account-error" view="session" />
      {overview ? (
        <Stack gap="md">
          <Text size="sm">
            Signed in as <strong>{overview.email}</strong> ({overview.role}).
          </Text>
          {overview.required && !overview.totp && overview.passkeys.length === 0 ? (
            <Note tone="warning" testId="factor-required">
              Your role needs a second factor: set one up before anything else works.
            </Note>
          ) : null}
          <Paper withBorder p="md" radius="sm">
            <Title order={2} mb="xs">
              Authenticator app
            </Title>
            <TotpSection />
          </Paper>
          <Paper withBorder p="md" radius="sm">
            <Title order={2} mb="xs">
              Passkeys
            </Title>
            <PasskeySection />
          </Paper>
          <Paper withBorder p="md" radius="sm">
            <Title order={2} mb="xs">
              API keys
            </Title>
            <ApiKeysTable keys={overview.apiKeys} />
          </Paper>
          <Paper withBorder p="md" radius="sm">
            <Title order={2} mb="xs">
              Sessions
            </Title>
            <SessionsTable />
          </Paper>
        </Stack>
      ) : null}
    </section>
  );
}
