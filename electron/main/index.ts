/**
 * The Electron shell: composition only. Everything with logic lives in electron/core
 * (tested under plain Node); this file wires it to Electron's lifecycle.
 */
import { app, BrowserWindow, dialog, powerMonitor, session } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConsoleCore } from '../core/app/console-core.ts';
import { isAppUrl } from '../core/platform/navigation-policy.ts';
import { resolveConsoleHome } from '../core/platform/console-home.ts';
import { acquireInstanceLock, type InstanceLock } from '../core/platform/instance-lock.ts';
import { contentSecurityPolicy } from '../core/platform/content-security-policy.ts';
import { appOrigin, registerAppScheme, serveRenderer } from './app-protocol.ts';
import { ElectronSettingsStore } from './electron-settings.store.ts';
import { wireIpc } from './ipc-wiring.ts';
import {
  applySessionPolicy,
  applyWindowPolicy,
  openExternalSafely,
  openSignInUrl,
} from './security-policy.ts';
import { buildWindowOptions } from './window-options.ts';
import { quietSqliteWarning } from '../../shared/node/process/quiet-sqlite-warning.ts';

// First statement: the embedded factory's node:sqlite warning is emitted on a later tick.
quietSqliteWarning();
const here = fileURLToPath(new URL('.', import.meta.url));
// electron-vite sets this in development only; a packaged app always loads app://console.
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
const origin = devServerUrl ? new URL(devServerUrl).origin : appOrigin;

// One desktop console per user (Electron's own lock: a second launch focuses the first
// window), and one console of any shell per data folder and console home: browser mode
// holds the same lock files (electron/core/platform/instance-lock.ts).
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerAppScheme();
  let window: BrowserWindow | null = null;
  let instanceLock: InstanceLock | null = null;

  const core = createConsoleCore({
    dataDir: app.getPath('userData'),
    settings: new ElectronSettingsStore(),
    shell: 'electron',
    version: app.getVersion(),
    isTrustedSender: (sender) => sender.transport === 'electron' && isAppUrl(sender.url, origin),
    openExternal: openExternalSafely,
    openSignInUrl,
    // The native save dialog, over the console's window; the chosen path is checked again by the export.
    chooseSavePath: async ({ suggestedName, purpose }) => {
      const options: Electron.SaveDialogOptions = {
        defaultPath: join(app.getPath('downloads'), suggestedName),
        filters: purpose === 'audit' ? [{ name: 'Audit export (JSON lines)', extensions: ['jsonl'] }] : [],
        properties: ['createDirectory'],
      };
      const result = window
        ? await dialog.showSaveDialog(window, options)
        : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
  });

  app.on('second-instance', () => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });

  // Every web contents, not only our window: no webviews, no pop-ups.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app.whenReady().then(async () => {
    try {
      instanceLock = await acquireInstanceLock({
        folders: [app.getPath('userData'), resolveConsoleHome()],
        shell: 'electron',
      });
    } catch (error) {
      // Another console (browser mode) runs on these folders: say where, and stop before starting a factory.
      dialog.showErrorBox('Factory Console is already running', (error as Error).message);
      app.exit(1);
      return;
    }
    applySessionPolicy(session.defaultSession, contentSecurityPolicy({ devServerOrigin: devServerUrl }));
    serveRenderer(join(here, '../renderer'));
    wireIpc(core.router, () => window);
    await core.start();
    // The unlocked vault's key does not outlive the operator walking away.
    const lockVault = () => void core.lockVault().catch(() => undefined);
    powerMonitor.on('lock-screen', lockVault);
    powerMonitor.on('suspend', lockVault);
    window = new BrowserWindow(
      buildWindowOptions({ preloadPath: join(here, '../preload/index.cjs'), devTools: !app.isPackaged }),
    );
    applyWindowPolicy(window, origin);
    window.once('ready-to-show', () => window?.show());
    window.on('closed', () => {
      window = null;
    });
    await window.loadURL(devServerUrl ?? `${appOrigin}/index.html`);
  });

  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    void core
      .close()
      .finally(() => instanceLock?.release())
      .finally(() => app.quit());
  });

  app.on('window-all-closed', () => app.quit());
}
