import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { createMachineStore, type MachineState } from './machine.store.ts';

export const machineStore: StoreApi<MachineState> = createMachineStore();

export function useMachine<T>(selector: (state: MachineState) => T): T {
  return useStore(machineStore, selector);
}
