import { Button, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { errorLine } from '../../ui/ErrorNote.tsx';
import { PasswordField } from '../../ui/PasswordField.tsx';
import { sessionStore, useSession } from './session.hooks.ts';
import { SsoSignInButton } from './SsoSignInButton.tsx';

/** Codes whose message belongs under the password field rather than above the form. */
const passwordCodes = new Set(['unauthenticated', 'wrong_password', 'account_locked']);

/** Email and password. The password lives in this form only until it is sent, then it is cleared. */
export function SignInForm() {
  const bridge = useBridge();
  const busy = useSession((state) => state.busy);
  const error = useSession((state) => state.error);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<{ email?: string; password?: string }>({});

  function submit(event: FormEvent): void {
    event.preventDefault();
    const secret = password;
    setPassword('');
    const found = {
      email: /^\S+@\S+$/.test(email.trim()) ? undefined : 'Enter the account’s email address.',
      password: secret ? undefined : 'Enter the account’s password.',
    };
    setProblems(found);
    if (found.email || found.password) return;
    void sessionStore.getState().login(bridge, email.trim(), secret);
  }

  return (
    <form onSubmit={submit} aria-label="Sign in" noValidate className="narrow-form">
      <Stack gap="sm">
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(event) => {
            setEmail(event.currentTarget.value);
            setProblems((current) => ({ ...current, email: undefined }));
          }}
          error={problems.email}
        />
        <PasswordField
          value={password}
          onChange={(value) => {
            setPassword(value);
            setProblems((current) => ({ ...current, password: undefined }));
          }}
          error={
            problems.password ??
            (error && passwordCodes.has(error.code) ? errorLine(error, 'session') : undefined)
          }
        />
        <Button type="submit" loading={busy} className="submit">
          Sign in
        </Button>
        <SsoSignInButton />
      </Stack>
    </form>
  );
}
