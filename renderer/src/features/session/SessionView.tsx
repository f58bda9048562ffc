// Mantine's stylesheets this view needs beyond the shell's list (main.tsx), in styles.css order.
import '@mantine/core/styles/ActionIcon.css';
import '@mantine/core/styles/InlineInput.css';
import '@mantine/core/styles/CheckboxCard.css';
import '@mantine/core/styles/CheckboxIndicator.css';
import '@mantine/core/styles/Checkbox.css';
import '@mantine/core/styles/PasswordInput.css';
import { Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { ServerPicker } from '../connection/ServerPicker.tsx';
import { useSettings } from '../settings/settings.hooks.ts';
import { ActivationForm } from './ActivationForm.tsx';
import { sessionStore, useSession } from './session.hooks.ts';
import { SecondFactorStep } from './SecondFactorStep.tsx';
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
      <Title order={1} id="session-title" className="view-title">
        Sign in &amp; activation
      </Title>
      <Stack gap="md">
        <Paper withBorder p="md" radius="sm">
          <Title order={2} mb="xs">
            1. Server
          </Title>
          <Text size="sm" mb="xs">
            Connected to: <code data-testid="session-server">{session?.serverUrl ?? '—'}</code>
          </Text>
          <ServerPicker key={configured ?? ''} current={configured} />
        </Paper>
        <Paper withBorder p="md" radius="sm">
          <Title order={2} mb="xs">
            2. {session?.signedIn ? 'Signed in' : 'Sign in'}
          </Title>
          <ErrorNote error={error} testId="session-error" view="session" />
          {session?.signedIn ? (
            <Group gap="sm">
              <Note tone="success" testId="signed-in">
                Signed in as <strong>{session.email}</strong> ({session.role}).
              </Note>
              <Button
                variant="default"
                loading={busy}
                onClick={() => void sessionStore.getState().logout(bridge)}
              >
                Sign out
              </Button>
            </Group>
          ) : session?.secondFactor ? (
            <SecondFactorStep methods={session.secondFactor.methods} />
          ) : (
            <SignInForm />
          )}
        </Paper>
        {session?.signedIn ? (
          <Paper withBorder p="md" radius="sm">
            <Title order={2} mb="xs">
              3. Activate this machine
            </Title>
            <ActivationForm />
          </Paper>
        ) : null}
      </Stack>
    </section>
  );
}
