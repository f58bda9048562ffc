import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { createAccountStore, type AccountSlice } from './account.store.ts';

export const accountStore: StoreApi<AccountSlice> = createAccountStore();

export function useAccount<T>(selector: (state: AccountSlice) => T): T {
  return useStore(accountStore, selector);
}
