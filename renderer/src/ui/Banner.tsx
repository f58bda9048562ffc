import type { ReactNode } from 'react';

export type NoteTone = 'info' | 'warning' | 'error' | 'success';

/**
 * A message in the page. Errors and warnings are announced (`role="alert"`), the rest
 * politely (`role="status"`). No close button: what it says stays true until the state changes.
 */
export function Note({ tone, children, testId }: { tone: NoteTone; children: ReactNode; testId?: string }) {
  const urgent = tone === 'error' || tone === 'warning';
  return (
    <div className={`note note-${tone}`} role={urgent ? 'alert' : 'status'} data-testid={testId}>
      {children}
    </div>
  );
}
