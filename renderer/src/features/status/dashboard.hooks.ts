import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { createDashboardStore, type DashboardState } from './dashboard.store.ts';

export const dashboardStore: StoreApi<DashboardState> = createDashboardStore();

export function useDashboard<T>(selector: (state: DashboardState) => T): T {
  return useStore(dashboardStore, selector);
}
