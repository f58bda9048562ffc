/**
 * The console's core, composed once: services, the Factory connection and the IPC
 * router. Electron main and browser mode both call {@link createConsoleCore} and only
 * add their transport, so the renderer code is identical in both.
 */
import { FactoryConnection, type EmbeddedStarter } from '../factory-api/factory-connection.ts';
import { SessionService } from '../domains/session/session.service.ts';
import { StatusService } from '../domains/status/status.service.ts';
import { SettingsService } from '../domains/settings/settings.service.ts';
import { KnownServersStore, originOf } from '../factory-api/trust-store.ts';
import { ServerTrustService } from '../domains/trust/trust.service.ts';
import { AppService, type AppServiceOptions } from './app.service.ts';
import { AuditService } from '../domains/audit/audit.service.ts';
import { FirewallService } from '../domains/firewall/firewall.service.ts';
import { UnlockService, unlockHandlers } from '../domains/resources/resources.service.ts';
import { VaultLockService, vaultHandlers } from '../domains/vault/vault.service.ts';
import { requireActivation } from '../domains/machine/activation.store.ts';
import { noContentSchema } from '../factory-api/factory-api.client.ts';
import { resolveConsoleHome } from '../platform/console-home.ts';
import { ConsoleError } from '../platform/console-error.ts';
import { resourceListResponseSchema } from '../../../shared/common/api/resources.ts';
import type { SettingsStore } from '../domains/settings/settings.store.ts';
import { IpcRouter, type CallRecord, type SenderInfo } from '../ipc/router.ts';
import type { BridgeHandlers } from '../ipc/handlers.ts';
import { startEmbeddedFactory, type StartFactory } from '../factory-api/embedded-factory.ts';
import { externalHostAllowList } from '../platform/navigation-policy.ts';

export interface ConsoleCoreOptions {
  /** The per-user data folder (Electron's userData, or `./data/console` in browser mode). */
  dataDir: string;
  settings: SettingsStore;
  shell: 'electron' | 'browser';
  version: string;
  isTrustedSender(sender: SenderInfo): boolean;
  openExternal?: (url: string) => Promise<void>;
  /** The native save dialog (Electron only). */
  chooseSavePath?: AppServiceOptions['chooseSavePath'];
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
  /** Locks the vault now (the desktop app calls it when the screen locks or the machine sleeps). */
  lockVault(): Promise<void>;
  close(): Promise<void>;
}

export function createConsoleCore(options: ConsoleCoreOptions): ConsoleCore {
  const trust = new ServerTrustService(new KnownServersStore(options.dataDir));
  const connection = new FactoryConnection({
    startEmbedded:
      options.startEmbedded ??
      (() => startEmbeddedFactory({ consoleDataDir: options.dataDir, startFactory: options.startFactory })),
    timeoutMs: options.apiTimeoutMs,
    pinFor: (serverUrl) => trust.pinFor(serverUrl),
  });
  // The router is created below; events go through this late-bound emitter.
  let router: IpcRouter | null = null;
  const session = new SessionService(connection);
  const status = new StatusService(
    connection,
    (next) => router?.emit('status', 'onChange', next),
    options.statusIntervalMs,
  );
  const reconnect = async (serverUrl: string | null) => {
    session.reset();
    audit.stop();
    firewall.stop();
    await connection.connect(serverUrl);
    await status.get();
  };
  const settings = new SettingsService(
    options.settings,
    async (next, previous) => {
      if (next.serverUrl !== previous.serverUrl) await reconnect(next.serverUrl);
    },
    // An https server is selectable only once its certificate was confirmed (server.trust).
    (next, previous) => {
      if (next.serverUrl !== null && next.serverUrl !== previous.serverUrl)
        trust.requireTrusted(next.serverUrl);
    },
  );
  const app = new AppService({
    name: 'Factory Console',
    version: options.version,
    shell: options.shell,
    connection,
    openExternal: options.openExternal,
    chooseSavePath: options.chooseSavePath,
    externalHosts: externalHostAllowList,
  });

  const home = resolveConsoleHome();
  /** The session, when it is on the activation's server (the same password signs in; exports report through it). */
  const onActivationServer = async (activationUrl: string) => {
    const state = await session.getState();
    return state.serverUrl !== null && originOf(state.serverUrl) === originOf(activationUrl) ? state : null;
  };
  const vault = new VaultLockService({
    home,
    autoLockMinutes: () => options.settings.read().autoLockMinutes,
    strictHardware: () => options.settings.read().strictHardware,
    emit: (state) => router?.emit('vault', 'onChange', state),
    signIn: async (activation, password) =>
      (await onActivationServer(activation.serverUrl))
        ? session.login({ email: activation.email, password })
        : session.getState(),
    sessionState: () => session.getState(),
  });

  const unlock = new UnlockService({
    home,
    vault,
    strictHardware: () => options.settings.read().strictHardware,
    // A password-less export (vault unlocked) reports through the signed-in session; else it is queued.
    reportExport: async (resourceId, event) => {
      const activation = await requireActivation(home);
      if (!(await onActivationServer(activation.server_url))?.signedIn)
        throw new ConsoleError('unauthenticated', 'Not signed in to the activation server.');
      await connection.client.reportExport(resourceId, { ...event, offline: false });
    },
    trustedFingerprint: (serverUrl) => trust.pinFor(serverUrl)?.fingerprint256,
    session: async () => {
      const state = await session.getState();
      return { serverUrl: state.serverUrl, email: state.email };
    },
    listServer: () => connection.client.send('/api/v1/resources', { schema: resourceListResponseSchema }),
    deactivateOnServer: (machineId) =>
      connection.client.send(`/api/v1/machines/${encodeURIComponent(machineId)}`, {
        method: 'DELETE',
        schema: noContentSchema,
      }),
    emit: (progress) => router?.emit('resources', 'onUnlockProgress', progress),
  });

  const audit = new AuditService(connection, (entry) => router?.emit('audit', 'onEntry', entry), home);
  const firewall = new FirewallService(connection);

  const handlers: BridgeHandlers = {
    server: {
      inspect: (input) => trust.inspect(input),
      trust: async (input) => {
        const identity = await trust.trust(input);
        // A new pin for the server in use (its certificate was renewed): reconnect through it.
        const current = options.settings.read().serverUrl;
        if (current !== null && originOf(current) === identity.origin) await reconnect(current);
        return identity;
      },
    },
    audit: {
      page: (input) => audit.page(input),
      verify: () => audit.verify(),
      exportTo: (input) => audit.exportTo(input),
      verifyFile: (input) => audit.verifyFile(input),
      inclusion: (input) => audit.inclusion(input),
      consistency: () => audit.consistency(),
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
    ...vaultHandlers(vault),
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
    app: {
      info: () => app.info(),
      openExternal: (input) => app.openExternal(input),
      chooseSavePath: (input) => app.chooseSavePath(input),
    },
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
    async lockVault() {
      await vault.lock();
    },
    async close() {
      vault.dispose();
      status.stop();
      audit.stop();
      firewall.stop();
      await connection.close();
    },
  };
}
