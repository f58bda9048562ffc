import { useState, type FormEvent } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { Note } from '../../ui/Banner.tsx';
import { machineStore, useMachine } from '../machine/machine.hooks.ts';
import { PasswordField } from '../../ui/PasswordField.tsx';

/** Activation: a label for this machine and the password again (it seals the machine key). */
export function ActivationForm() {
  const bridge = useBridge();
  const activating = useMachine((state) => state.activating);
  const error = useMachine((state) => state.error);
  const info = useMachine((state) => state.info);
  const [label, setLabel] = useState('');
  const [password, setPassword] = useState('');

  function submit(event: FormEvent): void {
    event.preventDefault();
    const secret = password;
    setPassword('');
    void machineStore.getState().activate(bridge, label.trim(), secret);
  }

  return (
    <>
      {info?.activated ? <Note tone="success">This machine is activated ({info.machineId}).</Note> : null}
      <ErrorNote error={error} testId="activation-error" />
      <form className="form" onSubmit={submit} aria-label="Activate this machine">
        <label>
          Machine label
          <input value={label} onChange={(event) => setLabel(event.target.value)} maxLength={256} required />
        </label>
        <PasswordField value={password} onChange={setPassword} />
        <button type="submit" className="button button-primary" disabled={activating}>
          {activating ? 'Activating…' : 'Activate'}
        </button>
      </form>
    </>
  );
}
