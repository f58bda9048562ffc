import { useEffect, useState } from 'react';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { ServerPicker } from '../connection/ServerPicker.tsx';
import { settingsStore, useSettings } from './settings.hooks.ts';

const themes = ['system', 'light', 'dark'] as const;

/** Settings: server URL (empty = the embedded demo factory), theme, hardware strictness, and what is stored where. */
export function SettingsView() {
  const bridge = useBridge();
  const settings = useSettings((state) => state.settings);
  const error = useSettings((state) => state.error);
  const saving = useSettings((state) => state.saving);
  const savedAt = useSettings((state) => state.savedAt);
  const [autoLock, setAutoLock] = useState('');

  useEffect(() => {
    void settingsStore.getState().load(bridge);
  }, [bridge]);
  useEffect(() => setAutoLock(String(settings?.autoLockMinutes ?? '')), [settings?.autoLockMinutes]);
  const minutes = Number(autoLock);
  const autoLockValid = Number.isInteger(minutes) && minutes >= 1 && minutes <= 1440;

  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <ErrorNote error={error} />
      {savedAt ? <Note tone="success">Saved.</Note> : null}
      <h2>Server</h2>
      <p>
        In use: <code data-testid="server-in-use">{settings?.serverUrl ?? 'the embedded demo factory'}</code>
      </p>
      {/* Keyed by the stored address: the field starts from it once settings arrive. */}
      <ServerPicker key={settings?.serverUrl ?? ''} current={settings?.serverUrl ?? null} />
      <h2>Vault</h2>
      <form
        className="form"
        aria-label="Vault auto-lock"
        onSubmit={(event) => {
          event.preventDefault();
          if (autoLockValid) void settingsStore.getState().update(bridge, { autoLockMinutes: minutes });
        }}
      >
        <label>
          Lock the unlocked vault after this many idle minutes (1–1440)
          <input
            type="number"
            min={1}
            max={1440}
            step={1}
            value={autoLock}
            aria-invalid={!autoLockValid}
            onChange={(event) => setAutoLock(event.target.value)}
          />
        </label>
        <button type="submit" className="button" disabled={saving || !autoLockValid}>
          Save auto-lock
        </button>
      </form>
      <fieldset className="form">
        <legend>Theme</legend>
        {themes.map((theme) => (
          <label key={theme}>
            <span>
              <input
                type="radio"
                name="theme"
                value={theme}
                checked={settings?.theme === theme}
                disabled={!settings || saving}
                onChange={() => void settingsStore.getState().update(bridge, { theme })}
              />{' '}
              {theme}
            </span>
          </label>
        ))}
      </fieldset>
      <label>
        <input
          type="checkbox"
          checked={settings?.strictHardware ?? false}
          disabled={!settings || saving}
          onChange={(event) =>
            void settingsStore.getState().update(bridge, { strictHardware: event.target.checked })
          }
        />{' '}
        Strict hardware binding (refuse to unlock when any fingerprint component changed)
      </label>
      <h2>What is stored where</h2>
      <table className="data-table">
        <tbody>
          <tr>
            <th scope="row">These settings</th>
            <td>
              settings.json in the console&apos;s data folder (FACTORY_CONSOLE_DATA_DIR, default data/console)
            </td>
          </tr>
          <tr>
            <th scope="row">Confirmed server certificates</th>
            <td>known-servers.json in the same data folder (fingerprint and certificate per address)</td>
          </tr>
          <tr>
            <th scope="row">Unlocked vault key</th>
            <td>Memory of the console&apos;s main side only, until you lock or the idle minutes run out</td>
          </tr>
          <tr>
            <th scope="row">Sign-in tokens</th>
            <td>Memory of the console&apos;s main side only; never in this page, never on disk</td>
          </tr>
          <tr>
            <th scope="row">Activation, machine key, vault and offline leases</th>
            <td>
              The console home (FACTORY_CONSOLE_HOME, default ~/.config/factory-console on Linux), shared with
              the CLI; the machine key opens only with your password on this machine&apos;s hardware
            </td>
          </tr>
          <tr>
            <th scope="row">Embedded demo factory</th>
            <td>factory/ in the data folder (its database, keys and bootstrap admin password)</td>
          </tr>
          <tr>
            <th scope="row">This page</th>
            <td>Browser mode only: the per-launch token in this tab&apos;s sessionStorage; nothing else</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}
