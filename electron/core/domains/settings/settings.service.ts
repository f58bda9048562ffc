import type { ConsoleSettings } from '../../../../shared/common/contract/bridge.ts';
import type { SettingsPatch } from '../../../../shared/common/contract/inputs.ts';
import type { SettingsStore } from './settings.store.ts';
import type { DomainHandlers } from '../../ipc/handlers.ts';

/** Reads and changes the console's non-secret settings; tells listeners when they change. */
export class SettingsService implements DomainHandlers<'settings'> {
  readonly #store: SettingsStore;
  readonly #onChange: (next: ConsoleSettings, previous: ConsoleSettings) => Promise<void>;
  readonly #check: (next: ConsoleSettings, previous: ConsoleSettings) => void | Promise<void>;

  /** `check` runs before anything is stored: a refused change leaves the settings as they were. */
  constructor(
    store: SettingsStore,
    onChange: (next: ConsoleSettings, previous: ConsoleSettings) => Promise<void>,
    check: (next: ConsoleSettings, previous: ConsoleSettings) => void | Promise<void> = () => undefined,
  ) {
    this.#store = store;
    this.#onChange = onChange;
    this.#check = check;
  }

  async get(): Promise<ConsoleSettings> {
    return this.#store.read();
  }

  /** Applies a validated patch; a changed server URL reconnects the console. */
  async update(patch: SettingsPatch): Promise<ConsoleSettings> {
    const previous = this.#store.read();
    const next: ConsoleSettings = {
      serverUrl: patch.serverUrl === undefined ? previous.serverUrl : patch.serverUrl,
      theme: patch.theme ?? previous.theme,
      strictHardware: patch.strictHardware ?? previous.strictHardware,
      autoLockMinutes: patch.autoLockMinutes ?? previous.autoLockMinutes,
    };
    await this.#check(next, previous);
    this.#store.write(next);
    await this.#onChange(next, previous);
    return next;
  }
}
