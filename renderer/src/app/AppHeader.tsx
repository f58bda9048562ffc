import { Badge, Button, Group, Menu, Text, Tooltip, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { IconChevronDown, IconLock, IconLockOpen, IconLogout, IconUser } from '@tabler/icons-react';
import { ModeStrip } from '../features/status/ModeStrip.tsx';
import { sessionStore, useSession } from '../features/session/session.hooks.ts';
import { vaultStore, useVault } from '../features/vault/vault.hooks.ts';
import { formatClock } from '../ui/format.ts';
import { toast } from '../ui/toast.ts';
import { useBridge } from './bridge-context.ts';

/**
 * The frame's header: the mode strip (always there, no close button), then the console's
 * name, the server in use, the vault's lock state and the account menu (who, which
 * role; sign out, lock).
 */
export function AppHeader({
  shell,
  onNavigate,
}: {
  shell: 'electron' | 'browser';
  onNavigate(view: string): void;
}) {
  const session = useSession((state) => state.session);
  return (
    <div className="header">
      <ModeStrip />
      <Group h={44} px="md" justify="space-between" wrap="nowrap" gap="sm">
        <Group gap="xs" wrap="nowrap">
          <Text fw={700}>Factory Console</Text>
          <Badge variant="outline" color="gray" size="sm" className="shell-kind">
            {shell === 'browser' ? 'browser mode' : 'desktop'}
          </Badge>
        </Group>
        <Group gap="sm" wrap="nowrap" className="header-right">
          {session?.serverUrl ? (
            <Tooltip label="The Factory API this console talks to">
              <Text size="sm" c="dimmed" className="header-server" data-testid="header-server">
                {session.serverUrl}
              </Text>
            </Tooltip>
          ) : null}
          <VaultState />
          <AccountMenu onNavigate={onNavigate} />
        </Group>
      </Group>
    </div>
  );
}

/** Locked / unlocked, and the one action that fits: lock now, or get the locked screen back. */
function VaultState() {
  const bridge = useBridge();
  const vault = useVault((state) => state.vault);
  if (!vault?.activated) return null;
  if (vault.locked)
    return (
      <Button
        size="compact-sm"
        variant="default"
        leftSection={<IconLock size={14} aria-hidden />}
        onClick={() => vaultStore.setState({ dismissed: false })}
        data-testid="vault-state"
      >
        Unlock vault…
      </Button>
    );
  return (
    <Tooltip label={vault.locksAt ? `Locks by itself at ${formatClock(vault.locksAt)}` : 'Unlocked'}>
      <Button
        size="compact-sm"
        variant="light"
        color="green"
        leftSection={<IconLockOpen size={14} aria-hidden />}
        data-testid="lock-now"
        onClick={() =>
          void vaultStore
            .getState()
            .lock(bridge)
            .then(() => toast('info', 'The vault is locked.'))
        }
      >
        Vault unlocked · Lock
      </Button>
    </Tooltip>
  );
}

/** Who is signed in and as which role; the menu signs out or locks. Signed out: a button to sign in. */
function AccountMenu({ onNavigate }: { onNavigate(view: string): void }) {
  const bridge = useBridge();
  const session = useSession((state) => state.session);
  const vault = useVault((state) => state.vault);
  if (!session?.signedIn)
    return (
      <Button
        size="compact-sm"
        variant="filled"
        onClick={() => onNavigate('session')}
        data-testid="header-sign-in"
      >
        Sign in
      </Button>
    );
  return (
    // No initial-focus placeholder: a focusable presentational child of role=menu (axe aria-required-children).
    <Menu position="bottom-end" withinPortal shadow="md" withInitialFocusPlaceholder={false}>
      <Menu.Target>
        <UnstyledButton className="account-button" data-testid="account-menu">
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
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Signed in as {session.email}</Menu.Label>
        <Menu.Item onClick={() => onNavigate('session')}>Account and activation</Menu.Item>
        {vault?.activated && !vault.locked ? (
          <Menu.Item
            leftSection={<IconLock size={14} aria-hidden />}
            onClick={() =>
              void vaultStore
                .getState()
                .lock(bridge)
                .then(() => toast('info', 'The vault is locked.'))
            }
          >
            Lock the vault
          </Menu.Item>
        ) : null}
        <Menu.Divider />
        <Menu.Item
          // The theme's red text colour (AA in both themes); a bare "red" is shade 6, 3.3:1 on white.
          color="var(--mantine-color-red-text)"
          leftSection={<IconLogout size={14} aria-hidden />}
          onClick={() =>
            void sessionStore
              .getState()
              .logout(bridge)
              .then(() => {
                if (!sessionStore.getState().error) toast('info', 'Signed out.');
              })
          }
        >
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
