/**
 * Status slice (zustand): the last status the console reported, app info and the last
 * error. Shared by the always-visible mode banner and the Status view. Only these
 * actions call the bridge.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppInfo, ConsoleBridge, FactoryStatus } from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError, Unsubscribe } from '../../../../shared/common/contract/result.ts';

export interface StatusState {
  status: FactoryStatus | null;
  app: AppInfo | null;
  error: BridgeError | null;
  loading: boolean;
  refresh(bridge: ConsoleBridge): Promise<void>;
  /** Follows `status.onChange`; returns the unsubscribe. */
  follow(bridge: ConsoleBridge): Unsubscribe;
}

/** The later of two answers (an answer pushed by a poll and one asked for may cross). */
function newer(current: FactoryStatus | null, next: FactoryStatus): FactoryStatus {
  return current && Date.parse(current.checkedAt) > Date.parse(next.checkedAt) ? current : next;
}

export function createStatusStore(): StoreApi<StatusState> {
  return createStore<StatusState>((set, get) => ({
    status: null,
    app: null,
    error: null,
    loading: false,
    async refresh(bridge) {
      set({ loading: true });
      const [status, app] = await Promise.all([bridge.status.get(), bridge.app.info()]);
      set({
        loading: false,
        status: status.ok ? newer(get().status, status.value) : null,
        app: app.ok ? app.value : null,
        error: status.ok ? (app.ok ? null : app.error) : status.error,
      });
    },
    follow(bridge) {
      // The core pushes every poll's answer (uptime and check time move each time).
      return bridge.status.onChange((status) => set({ status: newer(get().status, status), error: null }));
    },
  }));
}
