import { describe, expect, it } from 'vitest';
import { applyTheme } from '../../../renderer/src/ui/theme.ts';
import { formatBytes, formatDuration } from '../../../renderer/src/ui/format.ts';

describe('theme and formats', () => {
  it('pins light or dark, and lets "system" follow the OS', () => {
    const root = document.createElement('html');
    applyTheme('dark', root);
    expect(root.dataset.theme).toBe('dark');
    applyTheme('light', root);
    expect(root.dataset.theme).toBe('light');
    applyTheme('system', root);
    expect(root.dataset.theme).toBeUndefined();
  });

  it('formats bytes and durations for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(formatDuration(59.6)).toBe('1 min 0 s');
    expect(formatDuration(3725)).toBe('1 h 2 min');
    expect(formatDuration(-3)).toBe('0 s');
  });
});
