/**
 * The view registry: the shell's nav and router are built from this list. A feature
 * (renderer/src/features/<name>/) adds itself with one entry here.
 */
import { lazy, type ComponentType } from 'react';
import { Permission, roleHasPermission, ROLES, type Role } from '../../../shared/common/roles.ts';
import { StatusView } from '../features/status/StatusView.tsx';

// Views other than the first load on demand (own chunks), so the shell renders sooner.
const SessionView = lazy(() =>
  import('../features/session/SessionView.tsx').then((m) => ({ default: m.SessionView })),
);
const ResourcesView = lazy(() =>
  import('../features/resources/ResourcesView.tsx').then((m) => ({ default: m.ResourcesView })),
);
const AuditView = lazy(() =>
  import('../features/audit/AuditView.tsx').then((m) => ({ default: m.AuditView })),
);
const FirewallView = lazy(() =>
  import('../features/firewall/FirewallView.tsx').then((m) => ({ default: m.FirewallView })),
);
const MachineView = lazy(() =>
  import('../features/machine/MachineView.tsx').then((m) => ({ default: m.MachineView })),
);
const AccountView = lazy(() =>
  import('../features/account/AccountView.tsx').then((m) => ({ default: m.AccountView })),
);
const SettingsView = lazy(() =>
  import('../features/settings/SettingsView.tsx').then((m) => ({ default: m.SettingsView })),
);

export interface ViewDefinition {
  /** Stable id, also the `data-view` attribute tests look for. */
  id: string;
  label: string;
  component: ComponentType;
  /**
   * What the signed-in role needs for the view to be in the nav (the server checks every
   * call again; hiding only spares the operator a view of refusals). None: always shown.
   */
  needs?: Permission;
  /** Also shown without that permission while this machine is activated (its vault works offline). */
  offline?: boolean;
  /** Only while someone is signed in (any role). */
  signedIn?: boolean;
}

export const views: readonly ViewDefinition[] = [
  { id: 'status', label: 'Status', component: StatusView },
  { id: 'session', label: 'Sign in', component: SessionView },
  {
    id: 'resources',
    label: 'Resources',
    component: ResourcesView,
    needs: Permission.ResourcesRead,
    offline: true,
  },
  { id: 'audit', label: 'Audit', component: AuditView, needs: Permission.AuditRead },
  { id: 'firewall', label: 'Firewall', component: FirewallView, needs: Permission.FirewallRead },
  { id: 'account', label: 'Account', component: AccountView, signedIn: true },
  { id: 'machine', label: 'Machine', component: MachineView },
  { id: 'settings', label: 'Settings', component: SettingsView },
];

/** Whether `role` (null: signed out) holds `permission`; unknown role names hold nothing. */
export function roleMay(role: string | null, permission: Permission): boolean {
  return (
    role !== null &&
    (ROLES as readonly string[]).includes(role) &&
    roleHasPermission(role as Role, permission)
  );
}

/**
 * The views this role may see (`activated`: this machine has a vault). `?audit=synthetic` in the page address (development,
 * tests, the benchmark) keeps the Audit view, which then shows generated entries.
 */
export function visibleViews(
  role: string | null,
  activated = false,
  search: string = window.location.search,
): ViewDefinition[] {
  const synthetic = new URLSearchParams(search).get('audit') === 'synthetic';
  return views.filter(
    (view) =>
      (view.signedIn === true ? role !== null : !view.needs) ||
      (view.needs !== undefined && roleMay(role, view.needs)) ||
      (view.offline === true && activated) ||
      (view.id === 'audit' && synthetic),
  );
}
