import { Badge, Button, Group, Text, Tooltip } from '@mantine/core';
import { IconLock, IconLockOpen } from '@tabler/icons-react';
import { lazy, Suspense, useEffect } from 'react';
import { ModeStrip } from '../features/status/ModeStrip.tsx';
import { useSession } from '../features/session/session.hooks.ts';
import { vaultStore, useVault } from '../features/vault/vault.hooks.ts';
import { formatClock } from '../ui/format.ts';
import { toast } from '../ui/toast.ts';
import { AccountButton } from './AccountButton.tsx';
import { useBridge } from './bridge-context.ts';

// The menu (Mantine's Menu, Popover and their stylesheets) in its own chunk, fetched after
// the first paint; until it is there, the same button without its menu stands in (AccountButton).
const loadAccountMenu = () => import('./AccountMenu.tsx');
const AccountMenu = lazy(loadAccountMenu);

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
  useEffect(() => void loadAccountMenu(), []);
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
          <Account onNavigate={onNavigate} />
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
function Account({ onNavigate }: { onNavigate(view: string): void }) {
  const session = useSession((state) => state.session);
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
    <Suspense fallback={<AccountButton session={session} />}>
      <AccountMenu session={session} onNavigate={onNavigate} />
    </Suspense>
  );
}
