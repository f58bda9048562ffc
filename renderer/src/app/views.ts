/**
 * The view registry: the shell's nav and router are built from this list. A feature
 * (renderer/src/features/<name>/) adds itself with one entry here.
 */
import type { ComponentType } from 'react';
import { AuditView } from '../features/audit/AuditView.tsx';
import { FirewallView } from '../features/firewall/FirewallView.tsx';
import { MachineView } from '../features/machine/MachineView.tsx';
import { ResourcesView } from '../features/resources/ResourcesView.tsx';
import { SessionView } from '../features/session/SessionView.tsx';
import { SettingsView } from '../features/settings/SettingsView.tsx';
import { StatusView } from '../features/status/StatusView.tsx';

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
