/**
 * Applies the theme setting to the document: `light` and `dark` pin it, `system`
 * follows the operating system through `prefers-color-scheme` (see ui.css).
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

export function applyTheme(theme: ThemeChoice, root: HTMLElement = document.documentElement): void {
  if (theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = theme;
  root.style.colorScheme = theme === 'system' ? 'light dark' : theme;
}
