/**
 * The console's core, composed once: services, the Factory connection and the IPC
 * router. Electron main and browser mode both call {@link createConsoleCore} and only
 * add their transport, so the renderer code is identical in both.
 */
import { z } from 'zod';
import { FactoryConnection, type EmbeddedStarter } from './services/factory-connection.ts';
import { SessionService } from './services/session.service.ts';
import { StatusService } from './services/status.service.ts';
import { SettingsService } from './services/settings.service.ts';
import { AppService } from './services/app.service.ts';
import { AuditService } from './services/audit.service.ts';
import { FirewallService } from './services/firewall.service.ts';
import { UnlockService, unlockHandlers } from './unlock/unlock.service.ts';
import { resolveConsoleHome } from './console-home.ts';
import { resourceListResponseSchema } from '../../shared/common/api/resources.ts';
import type { SettingsStore } from './services/settings.store.ts';
import { IpcRouter, type CallRecord, type SenderInfo } from './ipc/router.ts';
import type { BridgeHandlers } from './ipc/handlers.ts';
import { startEmbeddedFactory, type StartFactory } from './embedded/embedded-factory.ts';
import { externalHostAllowList } from './security/navigation-policy.ts';

export interface ConsoleCoreOptions {
  /** The per-user data folder (Electron's userData, or `./data/console` in browser mode). */
  dataDir: string;
  settings: SettingsStore;
  shell: 'electron' | 'browser';
  version: string;
  isTrustedSender(sender: SenderInfo): boolean;
  openExternal?: (url: string) => Promise<void>;
  log?: (record: CallRecord) => void;
  /** Tests: a different embedded starter, a faster status poll, a shorter API timeout. */
  startEmbedded?: EmbeddedStarter;
  startFactory?: StartFactory;
  statusIntervalMs?: number;
  apiTimeoutMs?: number;
}

export interface ConsoleCore {
  router: IpcRouter;
  connection: FactoryConnection;
  /**
   * Connects to the configured server (or starts the embedded one) and starts polling
   * status. Never throws: a factory that cannot start is reported by `status.get`.
   */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createConsoleCore(options: ConsoleCoreOptions): ConsoleCore {
  const connection = new FactoryConnection({
    startEmbedded:
      options.startEmbedded ??
      (() => startEmbeddedFactory({ consoleDataDir: options.dataDir, startFactory: options.startFactory })),
    timeoutMs: options.apiTimeoutMs,
  });
  // The router is created below; events go through this late-bound emitter.
  let router: IpcRouter | null = null;
  const session = new SessionService(connection);
  const status = new StatusService(
    connection,
    (next) => router?.emit('status', 'onChange', next),
    options.statusIntervalMs,
  );
  const settings = new SettingsService(options.settings, async (next, previous) => {
    if (next.serverUrl === previous.serverUrl) return;
    session.reset();
    audit.stop();
    firewall.stop();
    await connection.connect(next.serverUrl);
    await status.get();
  });
  const app = new AppService({
    name: 'Factory Console',
    version: options.version,
    shell: options.shell,
    connection,
    openExternal: options.openExternal,
    externalHosts: externalHostAllowList,
  });

  const unlock = new UnlockService({
    home: resolveConsoleHome(),
    session: async () => {
      const state = await session.getState();
      return { serverUrl: state.serverUrl, email: state.email };
    },
    listServer: () => connection.client.send('/api/v1/resources', { schema: resourceListResponseSchema }),
    deactivateOnServer: (machineId) =>
      connection.client.send(`/api/v1/machines/${encodeURIComponent(machineId)}`, {
        method: 'DELETE',
        schema: z.undefined(),
      }),
    emit: (progress) => router?.emit('resources', 'onUnlockProgress', progress),
  });

  const audit = new AuditService(connection, (entry) => router?.emit('audit', 'onEntry', entry));
  const firewall = new FirewallService(connection);

  const handlers: BridgeHandlers = {
    audit: {
      page: (input) => audit.page(input),
      verify: () => audit.verify(),
      exportTo: (input) => audit.exportTo(input),
      verifyFile: (input) => audit.verifyFile(input),
    },
    firewall: {
      listRules: () => firewall.listRules(),
      addRule: (input) => firewall.addRule(input),
      updateRule: (input) => firewall.updateRule(input),
      deleteRule: (input) => firewall.deleteRule(input),
      rateLimits: () => firewall.rateLimits(),
      blocks: () => firewall.blocks(),
      refusals: () => firewall.refusals(),
    },
    ...unlockHandlers(unlock),
    session: {
      getState: () => session.getState(),
      login: (input) => session.login(input),
      logout: () => {
        audit.stop();
        firewall.stop();
        return session.logout();
      },
    },
    status: { get: () => status.get() },
    settings: { get: () => settings.get(), update: (patch) => settings.update(patch) },
    app: { info: () => app.info(), openExternal: (input) => app.openExternal(input) },
  };
  router = new IpcRouter({ handlers, isTrustedSender: options.isTrustedSender, log: options.log });

  return {
    router,
    connection,
    async start() {
      try {
        await connection.connect(options.settings.read().serverUrl);
      } catch {
        // The UI still opens: status.get reports why (connection keeps the reason).
      }
      status.start();
    },
    async close() {
      status.stop();
      audit.stop();
      firewall.stop();
      await connection.close();
    },
  };
}
