// Mantine's stylesheets this dialog needs beyond the shell's list (main.tsx), in styles.css order.
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/ActionIcon.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/PasswordInput.css';
import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { StepUpMethod } from '../../../../shared/common/contract/bridge.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { errorLine } from '../../ui/ErrorNote.tsx';
import { FormDialog } from '../../ui/FormDialog.tsx';
import { PasswordField, emptyPasswordMessage } from '../../ui/PasswordField.tsx';
import { stepUpStore, useStepUp } from './step-up.hooks.ts';

/**
 * The one step-up prompt (mounted once by the shell): a sensitive action needs a recent
 * proof, so the operator confirms with the password (an account without a factor) or a
 * factor, and the action then runs again. The password or code stays in this dialog only
 * until it is sent.
 */
export function StepUpDialog() {
  const methods = useStepUp((state) => state.methods);
  if (methods === null) return null;
  return <StepUpPrompt key={methods.join(',')} methods={methods} />;
}

function StepUpPrompt({ methods }: { methods: StepUpMethod[] }) {
  const bridge = useBridge();
  const busy = useStepUp((state) => state.busy);
  const error = useStepUp((state) => state.error);
  const codeMethods = methods.filter(
    (method): method is 'totp' | 'recovery' => method === 'totp' || method === 'recovery',
  );
  const [method, setMethod] = useState<'totp' | 'recovery' | undefined>(codeMethods[0]);
  const [secret, setSecret] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const byPassword = methods.includes('password');
  const passkeyOnly = !byPassword && method === undefined;
  const current = method ?? codeMethods[0];

  function submit(): void {
    const typed = secret;
    setSecret('');
    if (passkeyOnly) {
      void stepUpStore.getState().confirmWithPasskey(bridge);
      return;
    }
    if (byPassword) {
      if (!typed) return setProblem(emptyPasswordMessage);
      setProblem(undefined);
      void stepUpStore.getState().confirm(bridge, { password: typed });
      return;
    }
    if (typed.trim().length < 6 || current === undefined) return setProblem('Enter the code.');
    setProblem(undefined);
    void stepUpStore.getState().confirm(bridge, { method: current, code: typed.trim() });
  }

  const shown = problem ?? errorLine(error, 'session');
  return (
    <FormDialog
      title="Confirm it is you"
      submitLabel={passkeyOnly ? 'Use a passkey' : 'Confirm'}
      busy={busy}
      onSubmit={submit}
      onClose={() => stepUpStore.getState().cancel()}
    >
      <Stack gap="sm" data-testid="step-up">
        <Text size="sm">
          This action needs a recent sign-in. Confirm with{' '}
          {byPassword ? 'your password' : 'your second factor'}; the action then continues.
        </Text>
        {byPassword ? (
          <PasswordField value={secret} onChange={setSecret} autoFocus error={shown} />
        ) : current !== undefined ? (
          <TextInput
            label={current === 'totp' ? 'Authenticator code' : 'Recovery code'}
            autoComplete="one-time-code"
            data-autofocus
            value={secret}
            onChange={(event) => setSecret(event.currentTarget.value)}
            maxLength={64}
            error={shown}
          />
        ) : (
          <Text size="sm" c={error ? 'red' : undefined} role={error ? 'alert' : undefined}>
            {shown ?? 'Use one of this account’s passkeys.'}
          </Text>
        )}
        {!byPassword ? (
          <Group gap="xs">
            {methods.includes('webauthn') && !passkeyOnly ? (
              <Button
                variant="default"
                onClick={() => void stepUpStore.getState().confirmWithPasskey(bridge)}
              >
                Use a passkey
              </Button>
            ) : null}
            {codeMethods.length > 1 ? (
              <Button variant="subtle" onClick={() => setMethod(current === 'totp' ? 'recovery' : 'totp')}>
                {current === 'totp' ? 'Use a recovery code' : 'Use the authenticator app'}
              </Button>
            ) : null}
          </Group>
        ) : null}
      </Stack>
    </FormDialog>
  );
}
