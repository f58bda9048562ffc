import { Anchor, Group, Paper, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useNavigate } from '../../app/navigation.ts';

/**
 * A dashboard card: a title, its content, and the link to the view it summarises.
 * `wide`: two of the dashboard's columns where the window has room (ui.css).
 */
export function Card({
  title,
  link,
  children,
  testId,
  wide = false,
}: {
  title: string;
  link?: { label: string; view: string };
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  const navigate = useNavigate();
  return (
    <Paper
      withBorder
      p="sm"
      radius="sm"
      component="section"
      aria-label={title}
      data-testid={testId}
      className={wide ? 'card card-wide' : 'card'}
    >
      <Group gap="xs" mb="xs" wrap="nowrap">
        <Title order={2} size="h3">
          {title}
        </Title>
        {link ? (
          <Anchor
            component="button"
            type="button"
            size="sm"
            className="card-link"
            onClick={() => navigate(link.view)}
          >
            {link.label} →
          </Anchor>
        ) : null}
      </Group>
      {children}
    </Paper>
  );
}
