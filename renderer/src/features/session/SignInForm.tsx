import { useState, type FormEvent } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { sessionStore, useSession } from './session.hooks.ts';
import { PasswordField } from '../../ui/PasswordField.tsx';

/** Email and password. The password lives in this form only until it is sent, then it is cleared. */
export function SignInForm() {
  const bridge = useBridge();
  const busy = useSession((state) => state.busy);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  function submit(event: FormEvent): void {
    event.preventDefault();
    const secret = password;
    setPassword('');
    void sessionStore.getState().login(bridge, email.trim(), secret);
  }

  return (
    <form className="form" onSubmit={submit} aria-label="Sign in">
      <label>
        Email
        <input
          type="email"
          autoComplete="username"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          required
        />
      </label>
      <PasswordField value={password} onChange={setPassword} />
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
