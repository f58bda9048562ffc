import { Text } from '@mantine/core';
import { useState } from 'react';
import { FormDialog } from '../../ui/FormDialog.tsx';
import { emptyPasswordMessage, PasswordField } from '../../ui/PasswordField.tsx';

/** Asks for the password to unlock one resource; the value leaves this dialog only through `onUnlock`. */
export function UnlockDialog({
  name,
  onUnlock,
  onCancel,
}: {
  name: string;
  onUnlock(password: string): void;
  onCancel(): void;
}) {
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  return (
    <FormDialog
      title={`Unlock ${name}`}
      submitLabel="Unlock"
      onClose={onCancel}
      onSubmit={() => {
        const secret = password;
        setPassword('');
        if (!secret) {
          setProblem(emptyPasswordMessage);
          return;
        }
        onUnlock(secret);
      }}
    >
      <Text size="sm" mb="xs">
        Downloads, verifies and decrypts {name} into this machine&apos;s vault, where it stays usable offline
        while its lease runs.
      </Text>
      <PasswordField
        value={password}
        onChange={(value) => {
          setPassword(value);
          setProblem(undefined);
        }}
        autoFocus
        error={problem}
      />
    </FormDialog>
  );
}
