import { Button, Paper, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useNavigate } from '../app/navigation.ts';

/** What an empty place says: why it is empty and what to do, with the one button that does it. */
export function EmptyState({
  children,
  action,
  testId,
}: {
  children: ReactNode;
  /** A view to open (`{ label: 'Sign in', view: 'session' }`). */
  action?: { label: string; view: string };
  testId?: string;
}) {
  const navigate = useNavigate();
  return (
    <Paper withBorder p="md" radius="sm" data-testid={testId} className="empty-state">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{children}</Text>
        {action ? (
          <Button size="xs" variant="light" onClick={() => navigate(action.view)}>
            {action.label}
          </Button>
        ) : null}
      </Stack>
    </Paper>
  );
}
