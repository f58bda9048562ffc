/**
 * Browser mode, composed: the console core (embedded factory or configured server),
 * the router behind the loopback HTTP server, and the URL to open. `npm start` uses it
 * when the Electron binary is absent; the browser tests use it too.
 */
import { join } from 'node:path';
import { createConsoleCore, type ConsoleCore, type ConsoleCoreOptions } from '../../app/console-core.ts';
import { JsonSettingsStore, type SettingsStore } from '../../domains/settings/settings.store.ts';
import { startBrowserServer, type BrowserServer } from './browser-server.ts';

export interface BrowserModeOptions {
  /** The console's data folder: settings.json and the embedded factory's `factory/`. */
  dataDir: string;
  /** The built renderer. */
  staticDir: string;
  version: string;
  port?: number;
  token?: string;
  settings?: SettingsStore;
  /** Tests: overrides passed through to the core (status poll interval, embedded starter…). */
  core?: Partial<
    Pick<ConsoleCoreOptions, 'startEmbedded' | 'startFactory' | 'statusIntervalMs' | 'apiTimeoutMs' | 'log'>
  >;
}

export interface BrowserMode {
  url: string;
  origin: string;
  token: string;
  core: ConsoleCore;
  server: BrowserServer;
  close(): Promise<void>;
}

export async function startBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  let origin: string | null = null;
  const core = createConsoleCore({
    ...options.core,
    dataDir: options.dataDir,
    settings: options.settings ?? new JsonSettingsStore(join(options.dataDir, 'settings.json')),
    shell: 'browser',
    version: options.version,
    // The HTTP layer has checked Origin and the token; this is the router's own check.
    isTrustedSender: (sender) => sender.transport === 'http' && origin !== null && sender.url === origin,
  });
  await core.start();
  let server: BrowserServer;
  try {
    server = await startBrowserServer({
      router: core.router,
      staticDir: options.staticDir,
      port: options.port,
      token: options.token,
    });
  } catch (error) {
    await core.close();
    throw error;
  }
  origin = server.origin;
  return {
    url: server.url,
    origin: server.origin,
    token: server.token,
    core,
    server,
    async close() {
      await server.close();
      await core.close();
    },
  };
}
