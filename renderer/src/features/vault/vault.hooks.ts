import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { sessionStore } from '../session/session.hooks.ts';
import { createVaultStore, type VaultSlice } from './vault.store.ts';

/** The page's vault store; a password that also signed in updates the session slice. */
export const vaultStore: StoreApi<VaultSlice> = createVaultStore((session) =>
  sessionStore.setState({ session, error: null }),
);

export function useVault<T>(selector: (state: VaultSlice) => T): T {
  return useStore(vaultStore, selector);
}
