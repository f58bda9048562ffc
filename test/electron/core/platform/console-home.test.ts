import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConsoleHome } from '../../../../electron/core/platform/console-home.ts';

describe('resolveConsoleHome', () => {
  it('FACTORY_CONSOLE_HOME wins, made absolute', () => {
    expect(
      resolveConsoleHome({ env: { FACTORY_CONSOLE_HOME: 'rel/home' }, platform: 'linux', home: '/home/ann' }),
    ).toBe(resolve('rel/home'));
  });
  it('per-user app data folder by platform', () => {
    expect(resolveConsoleHome({ env: {}, platform: 'linux', home: '/home/ann' })).toBe(
      '/home/ann/.config/factory-console',
    );
    expect(
      resolveConsoleHome({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', home: '/home/ann' }),
    ).toBe('/xdg/factory-console');
    expect(
      resolveConsoleHome({ env: { XDG_CONFIG_HOME: 'relative' }, platform: 'linux', home: '/home/ann' }),
    ).toBe('/home/ann/.config/factory-console');
    expect(resolveConsoleHome({ env: {}, platform: 'darwin', home: '/Users/ann' })).toBe(
      '/Users/ann/Library/Application Support/factory-console',
    );
    expect(
      resolveConsoleHome({
        env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' },
        platform: 'win32',
        home: 'C:\\Users\\ann',
      }),
    ).toBe(join('C:\\Users\\ann\\AppData\\Roaming', 'factory-console'));
  });
});
