import { Button, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { emptyPasswordMessage, PasswordField } from '../../ui/PasswordField.tsx';
import { machineStore, useMachine } from '../machine/machine.hooks.ts';

/** Activation: a label for this machine and the password again (it seals the machine key). */
export function ActivationForm() {
  const bridge = useBridge();
  const activating = useMachine((state) => state.activating);
  const error = useMachine((state) => state.error);
  const info = useMachine((state) => state.info);
  const [label, setLabel] = useState('');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<{ label?: string; password?: string }>({});

  function submit(event: FormEvent): void {
    event.preventDefault();
    const secret = password;
    setPassword('');
    const found = {
      label: label.trim() ? undefined : 'Give this machine a label (e.g. lab-laptop-3).',
      password: secret ? undefined : emptyPasswordMessage,
    };
    setProblems(found);
    if (found.label || found.password) return;
    void machineStore.getState().activate(bridge, label.trim(), secret);
  }

  return (
    <>
      {info?.activated ? <Note tone="success">This machine is activated ({info.machineId}).</Note> : null}
      <ErrorNote error={error} testId="activation-error" view="session" />
      <form onSubmit={submit} aria-label="Activate this machine" noValidate className="narrow-form">
        <Stack gap="sm">
          <TextInput
            label="Machine label"
            value={label}
            onChange={(event) => {
              setLabel(event.currentTarget.value);
              setProblems((current) => ({ ...current, label: undefined }));
            }}
            maxLength={256}
            error={problems.label}
          />
          <PasswordField
            value={password}
            onChange={(value) => {
              setPassword(value);
              setProblems((current) => ({ ...current, password: undefined }));
            }}
            error={problems.password}
          />
          <Button type="submit" loading={activating} className="submit">
            Activate
          </Button>
        </Stack>
      </form>
    </>
  );
}
