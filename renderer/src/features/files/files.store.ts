/**
 * Files slice (zustand): the desktop app's native save dialog. Only this action asks
 * the bridge for it; the path it returns is checked again by the call that writes.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConsoleBridge } from '../../../../shared/common/contract/bridge.ts';
import type { SavePathInput } from '../../../../shared/common/contract/inputs.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';

export interface FilesState {
  choosing: boolean;
  error: BridgeError | null;
  /** The chosen path, or null when the operator cancelled or the dialog failed (see `error`). */
  chooseSavePath(bridge: ConsoleBridge, input: SavePathInput): Promise<string | null>;
}

export function createFilesStore(): StoreApi<FilesState> {
  return createStore<FilesState>((set) => ({
    choosing: false,
    error: null,
    async chooseSavePath(bridge, input) {
      set({ choosing: true, error: null });
      const result = await bridge.app.chooseSavePath(input);
      set({ choosing: false, error: result.ok ? null : result.error });
      return result.ok ? result.value.path : null;
    },
  }));
}
