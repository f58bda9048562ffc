import { Anchor, Button, Stack, Text } from '@mantine/core';
import { useEffect } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { errorLine } from '../../ui/ErrorNote.tsx';
import { ssoStore, useSso } from './sso.store.ts';

const openTab = (url: string) => {
  window.open(url, '_blank', 'noopener,noreferrer');
};

/** "Sign in with SSO", shown only when the server offers single sign-on (docs/IDENTITY.md). */
export function SsoSignInButton() {
  const bridge = useBridge();
  const offered = useSso((state) => state.offered);
  const busy = useSso((state) => state.busy);
  const link = useSso((state) => state.link);
  const error = useSso((state) => state.error);
  useEffect(() => {
    void ssoStore.getState().check(bridge);
  }, [bridge]);
  if (!offered) return null;
  return (
    <Stack gap="xs" className="narrow-form">
      <Button
        variant="default"
        loading={busy}
        onClick={() => void ssoStore.getState().signIn(bridge, openTab)}
      >
        Sign in with SSO
      </Button>
      {link && (
        <Text size="sm">
          Waiting for the browser.{' '}
          <Anchor href={link} target="_blank" rel="noopener noreferrer">
            Open the sign-in page
          </Anchor>{' '}
          if it did not open.
        </Text>
      )}
      {error && (
        <Text size="sm" c="red" role="alert">
          {errorLine(error, 'session')}
        </Text>
      )}
    </Stack>
  );
}
