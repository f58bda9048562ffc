import { useState } from 'react';
import { ConfirmDialog } from '../../ui/ConfirmDialog.tsx';
import { PasswordField } from '../../ui/PasswordField.tsx';

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
  return (
    <ConfirmDialog
      title={`Unlock ${name}`}
      confirmLabel="Unlock"
      onCancel={onCancel}
      onConfirm={() => {
        const secret = password;
        setPassword('');
        if (secret) onUnlock(secret);
      }}
    >
      <PasswordField className="form" value={password} onChange={setPassword} />
    </ConfirmDialog>
  );
}
