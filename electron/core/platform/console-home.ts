/**
 * Where the console keeps its per-user state (install salt, machine key file, …).
 * One resolver so every part of the console agrees on the folder.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { processEnvironment } from './environment.ts';

/** Environment variable that overrides the console home (tests, portable installs, several profiles). */
export const CONSOLE_HOME_ENV = 'FACTORY_CONSOLE_HOME';

/** The folder name under the platform's per-user application-data folder. */
export const CONSOLE_HOME_DIR_NAME = 'factory-console';

/** The inputs of the resolver (defaults: this process's environment, platform and home). */
export interface ConsoleHomeInput {
  env?: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
  home?: string;
}

/**
 * The console home: `FACTORY_CONSOLE_HOME` when set (made absolute against the
 * working directory), else the per-user app data folder: `%APPDATA%\factory-console`
 * on Windows, `~/Library/Application Support/factory-console` on macOS,
 * `$XDG_CONFIG_HOME/factory-console` (default `~/.config/factory-console`) elsewhere.
 * Pure: it does not create the folder.
 */
export function resolveConsoleHome(input: ConsoleHomeInput = {}): string {
  const env = input.env ?? processEnvironment();
  const platform = input.platform ?? process.platform;
  const home = input.home ?? homedir();
  const override = env[CONSOLE_HOME_ENV]?.trim();
  if (override) return resolve(override);
  if (platform === 'win32') {
    const appData = env['APPDATA']?.trim();
    return join(appData ? appData : join(home, 'AppData', 'Roaming'), CONSOLE_HOME_DIR_NAME);
  }
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', CONSOLE_HOME_DIR_NAME);
  const xdg = env['XDG_CONFIG_HOME']?.trim();
  // XDG says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), CONSOLE_HOME_DIR_NAME);
}
