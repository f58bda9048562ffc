import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';

export type NoteTone = 'info' | 'warning' | 'error' | 'success';

const colour: Record<NoteTone, string> = { info: 'blue', warning: 'yellow', error: 'red', success: 'green' };

/**
 * A message in the page. Errors and warnings are announced (`role="alert"`), the rest
 * politely (`role="status"`). No close button: what it says stays true until the state changes.
 */
export function Note({
  tone,
  children,
  testId,
  title,
}: {
  tone: NoteTone;
  children: ReactNode;
  testId?: string;
  title?: string;
}) {
  const urgent = tone === 'error' || tone === 'warning';
  return (
    <Alert
      color={colour[tone]}
      variant="light"
      role={urgent ? 'alert' : 'status'}
      data-testid={testId}
      title={title}
      my="xs"
      p="xs"
      className={`note note-${tone}`}
    >
      {children}
    </Alert>
  );
}
