import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { Permission, roleHasPermission, ROLES, type Role } from '../../../../shared/common/roles.ts';
import { useSession } from '../session/session.hooks.ts';
import { createFirewallStore, type FirewallState } from './firewall.store.ts';

export const firewallStore: StoreApi<FirewallState> = createFirewallStore();

export function useFirewall<T>(selector: (state: FirewallState) => T): T {
  return useStore(firewallStore, selector);
}

/** Whether the signed-in role may change rules (the server checks again; this only hides what would fail). */
export function useCanEditFirewall(): boolean {
  const role = useSession((state) => (state.session?.signedIn ? state.session.role : null));
  return (
    role !== null &&
    (ROLES as readonly string[]).includes(role) &&
    roleHasPermission(role as Role, Permission.FirewallWrite)
  );
}
