import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { SecondFactorMethod } from '../../../../shared/common/contract/bridge.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { errorLine } from '../../ui/ErrorNote.tsx';
import { sessionStore, useSession } from './session.hooks.ts';

/** Codes whose message belongs under the code field. */
const codeCodes = new Set(['unauthenticated', 'account_locked', 'validation_failed']);

/**
 * The second step of a sign-in: the password was right and the server asks for a factor —
 * an authenticator code, a recovery code, or a passkey. The code lives in this form only
 * until it is sent; the sign-in's token never reaches the page.
 */
export function SecondFactorStep({ methods }: { methods: SecondFactorMethod[] }) {
  const bridge = useBridge();
  const busy = useSession((state) => state.busy);
  const error = useSession((state) => state.error);
  const codeMethods = methods.filter((method) => method !== 'webauthn');
  const [method, setMethod] = useState<SecondFactorMethod | undefined>(codeMethods[0]);
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string | undefined>();

  function submit(event: FormEvent): void {
    event.preventDefault();
    if (method === undefined || method === 'webauthn') return;
    const typed = code.trim();
    setCode('');
    if (typed.length < 6) {
      setProblem(method === 'totp' ? 'Enter the 6-digit code from the app.' : 'Enter a recovery code.');
      return;
    }
    setProblem(undefined);
    void sessionStore.getState().verifyFactor(bridge, { method, code: typed });
  }

  const shown = problem ?? (error && codeCodes.has(error.code) ? errorLine(error, 'session') : undefined);
  return (
    <Stack gap="sm" className="narrow-form" data-testid="second-factor">
      <Text size="sm">This account has a second factor. Confirm the sign-in with it.</Text>
      {method !== undefined ? (
        <form onSubmit={submit} aria-label="Second factor" noValidate>
          <Stack gap="sm">
            <TextInput
              label={method === 'totp' ? 'Authenticator code' : 'Recovery code'}
              description={
                method === 'totp'
                  ? 'The 6 digits your authenticator app shows now.'
                  : 'One of the codes you saved when you set up the factor (each works once).'
              }
              autoComplete="one-time-code"
              inputMode={method === 'totp' ? 'numeric' : 'text'}
              autoFocus
              value={code}
              onChange={(event) => {
                setCode(event.currentTarget.value);
                setProblem(undefined);
              }}
              maxLength={64}
              error={shown}
            />
            <Button type="submit" loading={busy} className="submit">
              Confirm
            </Button>
          </Stack>
        </form>
      ) : null}
      <Group gap="xs">
        {methods.includes('webauthn') ? (
          <Button
            variant={method === undefined ? 'filled' : 'default'}
            loading={busy && method === undefined}
            onClick={() => void sessionStore.getState().usePasskey(bridge)}
          >
            Use a passkey
          </Button>
        ) : null}
        {codeMethods.length > 1 ? (
          <Button
            variant="subtle"
            onClick={() => {
              setMethod(method === 'totp' ? 'recovery' : 'totp');
              setProblem(undefined);
            }}
          >
            {method === 'totp' ? 'Use a recovery code' : 'Use the authenticator app'}
          </Button>
        ) : null}
        <Button variant="subtle" onClick={() => void sessionStore.getState().cancelFactor(bridge)}>
          Back to the password
        </Button>
      </Group>
    </Stack>
  );
}
