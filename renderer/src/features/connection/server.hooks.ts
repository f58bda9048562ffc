import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { sessionStore } from '../session/session.hooks.ts';
import { settingsStore } from '../settings/settings.hooks.ts';
import { vaultStore } from '../vault/vault.hooks.ts';
import { createServerStore, type ServerState } from './server.store.ts';

/** After a server change: settings, who is signed in (nobody, now) and the vault's view of it. */
export const serverStore: StoreApi<ServerState> = createServerStore(async (bridge) => {
  await Promise.all([
    settingsStore.getState().load(bridge),
    sessionStore.getState().load(bridge),
    vaultStore.getState().load(bridge),
  ]);
});

export function useServer<T>(selector: (state: ServerState) => T): T {
  return useStore(serverStore, selector);
}
