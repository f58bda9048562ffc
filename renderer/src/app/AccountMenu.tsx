/** The account menu (AppHeader.tsx loads it on demand): account and activation, lock, sign out. */
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Popover.css';
import '@mantine/core/styles/Menu.css';
import { Menu } from '@mantine/core';
import { IconLock, IconLogout } from '@tabler/icons-react';
import type { SessionState } from '../../../shared/common/contract/bridge.ts';
import { sessionStore } from '../features/session/session.hooks.ts';
import { vaultStore, useVault } from '../features/vault/vault.hooks.ts';
import { toast } from '../ui/toast.ts';
import { AccountButton } from './AccountButton.tsx';
import { useBridge } from './bridge-context.ts';

export default function AccountMenu({
  session,
  onNavigate,
}: {
  session: SessionState;
  onNavigate(view: string): void;
}) {
  const bridge = useBridge();
  const vault = useVault((state) => state.vault);
  return (
    // No initial-focus placeholder: a focusable presentational child of role=menu (axe aria-required-children).
    <Menu position="bottom-end" withinPortal shadow="md" withInitialFocusPlaceholder={false}>
      <Menu.Target>
        <AccountButton session={session} data-testid="account-menu" />
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
