/**
 * Browser mode, composed: the console core (embedded factory or configured server),
 * the router behind the loopback HTTP server, and the URL to open. `npm start` uses it
 * when the Electron binary is absent; the browser tests use it too.
 *
 * One console per data folder and console home: the instance lock
 * (platform/instance-lock.ts) is taken before the embedded factory starts, carries the
 * address once the server listens, and is released on close.
 */
import { join } from 'node:path';
import { createConsoleCore, type ConsoleCore, type ConsoleCoreOptions } from '../../app/console-core.ts';
import { JsonSettingsStore, type SettingsStore } from '../../domains/settings/settings.store.ts';
import { startBrowserServer, type BrowserServer } from './browser-server.ts';
import { resolveConsoleHome } from '../../platform/console-home.ts';
import { acquireInstanceLock, type InstanceLock } from '../../platform/instance-lock.ts';

export interface BrowserModeOptions {
  /** The console's data folder: settings.json and the embedded factory's `factory/`. */
  dataDir: string;
  /** The built renderer. */
  staticDir: string;
  version: string;
  port?: number;
  token?: string;
  settings?: SettingsStore;
  /** The lock of this console's folders when the caller took it already (`npm start` does, before building). */
  instanceLock?: InstanceLock;
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

/** The instance lock of browser mode's folders: the data folder and the console home. */
export function lockBrowserModeFolders(dataDir: string): Promise<InstanceLock> {
  return acquireInstanceLock({ folders: [dataDir, resolveConsoleHome()], shell: 'browser' });
}

export async function startBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  // Throws ConsoleAlreadyRunningError, naming the running console, before anything starts.
  const lock = options.instanceLock ?? (await lockBrowserModeFolders(options.dataDir));
  try {
    return await startLocked(options, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function startLocked(options: BrowserModeOptions, lock: InstanceLock): Promise<BrowserMode> {
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
  try {
    await lock.setUrl(server.origin);
  } catch (error) {
    await server.close();
    await core.close();
    throw error;
  }
  return {
    url: server.url,
    origin: server.origin,
    token: server.token,
    core,
    server,
    async close() {
      try {
        await server.close();
        await core.close();
      } finally {
        await lock.release();
      }
    },
  };
}
