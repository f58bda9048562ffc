/**
 * Vault slice (zustand): whether this machine's offline vault is locked, and the
 * locked screen's one action. The password is an argument of `unlock` that goes
 * straight to the bridge; the opened key stays on the main side.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConsoleBridge, SessionState, VaultState } from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError, Unsubscribe } from '../../../../shared/common/contract/result.ts';

export interface VaultSlice {
  vault: VaultState | null;
  error: BridgeError | null;
  busy: boolean;
  /** The operator chose "not now" on the locked screen (until the page reloads or the vault changes). */
  dismissed: boolean;
  load(bridge: ConsoleBridge): Promise<void>;
  /** The locked screen: the activation account's password only. */
  unlock(bridge: ConsoleBridge, password: string): Promise<boolean>;
  lock(bridge: ConsoleBridge): Promise<void>;
  dismiss(): void;
  follow(bridge: ConsoleBridge): Unsubscribe;
}

export function createVaultStore(
  onSession: (session: SessionState) => void = () => undefined,
): StoreApi<VaultSlice> {
  return createStore<VaultSlice>((set) => ({
    vault: null,
    error: null,
    busy: false,
    dismissed: false,
    async load(bridge) {
      const result = await bridge.vault.getState();
      set(result.ok ? { vault: result.value } : { error: result.error });
    },
    async unlock(bridge, password) {
      set({ busy: true, error: null });
      const result = await bridge.vault.unlock({ password });
      if (!result.ok) {
        set({ busy: false, error: result.error });
        return false;
      }
      set({ busy: false, vault: result.value.vault, error: null });
      onSession(result.value.session);
      return true;
    },
    async lock(bridge) {
      const result = await bridge.vault.lock();
      set(result.ok ? { vault: result.value, error: null, dismissed: false } : { error: result.error });
    },
    dismiss() {
      set({ dismissed: true, error: null });
    },
    follow(bridge) {
      return bridge.vault.onChange((vault) =>
        set((state) => ({
          vault,
          // Locking again (idle, or another window) brings the locked screen back.
          dismissed: vault.locked && !state.vault?.locked ? false : state.dismissed,
        })),
      );
    },
  }));
}
