import { useEffect } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { useBridge } from '../../app/bridge-context.ts';
import { createSettingsStore, type SettingsState } from './settings.store.ts';

export const settingsStore: StoreApi<SettingsState> = createSettingsStore();

export function useSettings<T>(selector: (state: SettingsState) => T): T {
  return useStore(settingsStore, selector);
}

/** Loads the settings once at start, so the saved theme applies before any view is opened. */
export function useSettingsAtStart(): void {
  const bridge = useBridge();
  useEffect(() => {
    void settingsStore.getState().load(bridge);
  }, [bridge]);
}
