import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { createStatusStore, type StatusState } from './status.store.ts';

/** The page's status store, shared by the banner and the Status view. */
export const statusStore: StoreApi<StatusState> = createStatusStore();

export function useStatus<T>(
  selector: (state: StatusState) => T,
  store: StoreApi<StatusState> = statusStore,
): T {
  return useStore(store, selector);
}
