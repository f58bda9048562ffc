/**
 * Settings slice (zustand): the console's settings as the main side stores them. The
 * theme is applied to the document whenever settings arrive.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConsoleBridge, ConsoleSettings } from '../../../../shared/common/contract/bridge.ts';
import type { SettingsPatch } from '../../../../shared/common/contract/inputs.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';
import { applyTheme } from '../../ui/theme.ts';

export interface SettingsState {
  settings: ConsoleSettings | null;
  error: BridgeError | null;
  saving: boolean;
  /** The last successful save, for the "saved" confirmation. */
  savedAt: string | null;
  load(bridge: ConsoleBridge): Promise<void>;
  update(bridge: ConsoleBridge, patch: SettingsPatch): Promise<boolean>;
}

export function createSettingsStore(): StoreApi<SettingsState> {
  return createStore<SettingsState>((set) => ({
    settings: null,
    error: null,
    saving: false,
    savedAt: null,
    async load(bridge) {
      const result = await bridge.settings.get();
      if (result.ok) applyTheme(result.value.theme);
      set(result.ok ? { settings: result.value, error: null } : { error: result.error });
    },
    async update(bridge, patch) {
      set({ saving: true, error: null });
      const result = await bridge.settings.update(patch);
      if (result.ok) applyTheme(result.value.theme);
      set(
        result.ok
          ? { saving: false, settings: result.value, error: null, savedAt: new Date().toISOString() }
          : { saving: false, error: result.error },
      );
      return result.ok;
    },
  }));
}
