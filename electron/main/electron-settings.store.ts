import Store from 'electron-store';
import type { ConsoleSettings } from '../../shared/common/contract/bridge.ts';
import { normaliseSettings, type SettingsStore } from '../core/domains/settings/settings.store.ts';

/** Non-secret settings in electron-store (`settings.json` in the per-user data folder). */
export class ElectronSettingsStore implements SettingsStore {
  readonly #store = new Store<{ settings: ConsoleSettings | null }>({
    name: 'settings',
    defaults: { settings: null },
  });

  read(): ConsoleSettings {
    return normaliseSettings(this.#store.get('settings'));
  }

  write(settings: ConsoleSettings): void {
    this.#store.set('settings', settings);
  }
}
