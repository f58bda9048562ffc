import type { BridgeError } from '../../../shared/common/contract/result.ts';
import { Note } from './Banner.tsx';
import { describeError, type AdviceView } from './error-advice.ts';

/** A bridge error with its code, its sentence and what the operator can do about it (worded for `view`). */
export function ErrorNote({
  error,
  testId,
  view,
}: {
  error: BridgeError | null;
  testId?: string;
  view?: AdviceView;
}) {
  if (!error) return null;
  const { message, advice } = describeError(error, view);
  return (
    <Note tone={error.code === 'unavailable' ? 'warning' : 'error'} testId={testId}>
      <strong>{error.code}</strong>: {message}
      <div className="muted">{advice}</div>
    </Note>
  );
}

/** The same, as one line under the field it concerns (a form's `error` prop). */
export function errorLine(error: BridgeError | null | undefined, view?: AdviceView): string | undefined {
  if (!error) return undefined;
  const { message, advice } = describeError(error, view);
  return `${message} — ${advice}`;
}
