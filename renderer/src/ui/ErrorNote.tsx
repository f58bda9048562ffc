import type { BridgeError } from '../../../shared/common/contract/result.ts';
import { Note } from './Banner.tsx';
import { adviceFor } from './error-advice.ts';

/** A bridge error with its code, its sentence and what the operator can do about it. */
export function ErrorNote({ error, testId }: { error: BridgeError | null; testId?: string }) {
  if (!error) return null;
  return (
    <Note tone={error.code === 'unavailable' ? 'warning' : 'error'} testId={testId}>
      <strong>{error.code}</strong>: {error.message}
      <div className="muted">{adviceFor(error.code)}</div>
    </Note>
  );
}

/** The same, as one line under the field it concerns (a form's `error` prop). */
export function errorLine(error: BridgeError | null | undefined): string | undefined {
  return error ? `${error.message} — ${adviceFor(error.code)}` : undefined;
}
