/**
 * The view registry: the shell's nav and router are built from this list. A feature
 * (renderer/src/features/<name>/) adds itself with one entry here.
 */
import { lazy, type ComponentType } from 'react';
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
const SettingsView = lazy(() =>
  import('../features/settings/SettingsView.tsx').then((m) => ({ default: m.SettingsView })),
);

export interface ViewDefinition {
  /** Stable id, also the `data-view` attribute tests look for. */
  id: string;
  label: string;
  component: ComponentType;
}

export const views: readonly ViewDefinition[] = [
  { id: 'status', label: 'Status', component: StatusView },
  { id: 'session', label: 'Sign in', component: SessionView },
  { id: 'resources', label: 'Resources', component: ResourcesView },
  { id: 'audit', label: 'Audit', component: AuditView },
  { id: 'firewall', label: 'Firewall', component: FirewallView },
  { id: 'machine', label: 'Machine', component: MachineView },
  { id: 'settings', label: 'Settings', component: SettingsView },
];
