import { Badge, Group, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { IconChevronDown, IconUser } from '@tabler/icons-react';
import type { ComponentPropsWithRef } from 'react';
import type { SessionState } from '../../../shared/common/contract/bridge.ts';

/**
 * The account menu's button: the email and the role. AccountMenu.tsx makes it the menu's
 * target (its props and ref; the test id marks that one); the header shows it alone until
 * that chunk is loaded.
 */
export function AccountButton({
  session,
  className,
  ...target
}: { session: SessionState } & ComponentPropsWithRef<'button'>) {
  return (
    <UnstyledButton {...target} className={className ? `account-button ${className}` : 'account-button'}>
      {/* The name is the visible text (email, role) after this prefix, not a separate label. */}
      <VisuallyHidden>Account menu: </VisuallyHidden>
      <Group gap={6} wrap="nowrap">
        <IconUser size={16} aria-hidden />
        <Text size="sm" className="account-email">
          {session.email}
        </Text>
        <Badge size="sm" variant="light" data-testid="account-role">
          {session.role}
        </Badge>
        <IconChevronDown size={14} aria-hidden />
      </Group>
    </UnstyledButton>
  );
}
