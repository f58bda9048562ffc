/**
 * Machine slice (zustand): what the main side reports about this machine's binding.
 * Serials never reach the renderer; only which components were found.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConsoleBridge, MachineInfo } from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';

export interface MachineState {
  info: MachineInfo | null;
  error: BridgeError | null;
  loading: boolean;
  activating: boolean;
  deactivating: boolean;
  /** The outcome of the last deactivation, for the confirmation line. */
  lastChange: string | null;
  load(bridge: ConsoleBridge): Promise<void>;
  /** Activates with a label; the password goes to the bridge and is not kept. */
  activate(bridge: ConsoleBridge, label: string, password: string): Promise<boolean>;
  /** Revokes this machine on the server and deletes its local key, vault and activation. */
  deactivate(bridge: ConsoleBridge): Promise<boolean>;
}

export function createMachineStore(): StoreApi<MachineState> {
  return createStore<MachineState>((set, get) => ({
    info: null,
    error: null,
    loading: false,
    activating: false,
    deactivating: false,
    lastChange: null,
    async load(bridge) {
      set({ loading: true });
      const result = await bridge.machine.getInfo();
      set(
        result.ok
          ? { loading: false, info: result.value, error: null }
          : { loading: false, error: result.error },
      );
    },
    async activate(bridge, label, password) {
      set({ activating: true, error: null });
      const result = await bridge.machine.activate({ label, password });
      set(
        result.ok
          ? { activating: false, info: result.value, error: null }
          : { activating: false, error: result.error },
      );
      return result.ok;
    },
    async deactivate(bridge) {
      const machineId = get().info?.machineId ?? null;
      set({ deactivating: true, lastChange: null, error: null });
      const result = await bridge.machine.deactivate();
      set(
        result.ok
          ? {
              deactivating: false,
              info: result.value,
              error: null,
              lastChange: `Deactivated machine ${machineId ?? ''}: key, vault and activation removed.`,
            }
          : { deactivating: false, error: result.error },
      );
      return result.ok;
    },
  }));
}
