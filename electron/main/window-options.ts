/**
 * The console window's options, built by a pure function so a test can assert every
 * security-relevant flag without Electron (Electron security checklist items 2–4, 6:
 * no Node in the renderer, context isolation, sandbox, webSecurity on).
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInput {
  /** Absolute path of the bundled CommonJS preload. */
  preloadPath: string;
  title?: string;
  /** DevTools only in development builds. */
  devTools?: boolean;
}

export function buildWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: input.title ?? 'Factory Console',
    show: false,
    backgroundColor: '#1e1e1e',
    autoHideMenuBar: true,
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      disableBlinkFeatures: 'Auxclick',
      devTools: input.devTools ?? false,
    },
  };
}
