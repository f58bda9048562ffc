/**
 * The console's core, composed once: the one connection to the Factory API (pinned
 * through the one trust store), the services, and the IPC router. Each service
 * implements its slice of the bridge, so the router calls services directly; they
 * hear about sign-ins, sign-outs and server changes through the connection's session
 * events. Electron main and browser mode both call {@link createConsoleCore} and only
 * add their transport, so the renderer code is identical in both.
 */
import { FactoryConnection, type EmbeddedStarter } from '../factory-api/factory-connection.ts';
import { SessionService } from '../domains/session/session.service.ts';
import { AccountService } from '../domains/account/account.service.ts';
import { StatusService } from '../domains/status/status.service.ts';
import { SettingsService } from '../domains/settings/settings.service.ts';
import { KnownServersStore, originOf } from '../factory-api/trust-store.ts';
import { ServerTrustService } from '../domains/trust/trust.service.ts';
import { AppService, type AppServiceOptions } from './app.service.ts';
import { AuditService } from '../domains/audit/audit.service.ts';
import { FirewallService } from '../domains/firewall/firewall.service.ts';
import { ResourcesService } from '../domains/resources/resources.service.ts';
import { MachineService } from '../domains/machine/machine.service.ts';
import { VaultLockService } from '../domains/vault/vault.service.ts';
import { removeLocalActivation } from '../domains/vault/local-deactivation.ts';
import { sameServerAddress } from '../domains/machine/server-binding.ts';
import { resolveConsoleHome } from '../platform/console-home.ts';
import type { SettingsStore } from '../domains/settings/settings.store.ts';
import { IpcRouter, type CallRecord, type SenderInfo } from '../ipc/router.ts';
import type { BridgeHandlers } from '../ipc/handlers.ts';
import { startEmbeddedFactory, type StartFactory } from '../factory-api/embedded-factory.ts';
import { externalHostAllowList } from '../platform/navigation-policy.ts';

export interface ConsoleCoreOptions {
  /** The per-user data folder (Electron's userData, or `./data/console` in browser mode). */
  dataDir: string;
  /** The console home (activation, machine key, vault, trust store); default: resolved from the environment. */
  home?: string;
  /** The environment the fingerprint is read in (FACTORY_FINGERPRINT_FILE); default the process's. */
  env?: Readonly<Record<string, string | undefined>>;
  settings: SettingsStore;
  shell: 'electron' | 'browser';
  version: string;
  isTrustedSender(sender: SenderInfo): boolean;
  openExternal?: (url: string) => Promise<void>;
  /** Opens the identity provider's page for single sign-on (desktop: the system browser); absent in browser mode. */
  openSignInUrl?: (url: string) => Promise<void>;
  /** The native save dialog (Electron only). */
  chooseSavePath?: AppServiceOptions['chooseSavePath'];
  log?: (record: CallRecord) => void;
  /** Tests: a different embedded starter, a faster status poll, a shorter API timeout, a clock. */
  startEmbedded?: EmbeddedStarter;
  startFactory?: StartFactory;
  statusIntervalMs?: number;
  apiTimeoutMs?: number;
  now?: () => number;
  sessionCheckMs?: number;
}

export interface ConsoleCore {
  router: IpcRouter;
  connection: FactoryConnection;
  /** The services behind the router, one per bridge domain (tests call them directly). */
  services: BridgeHandlers;
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
  const home = options.home ?? resolveConsoleHome();
  // One trust store, in the console home, shared with the CLI (an older console kept it in dataDir).
  const known = new KnownServersStore(home, options.dataDir);
  const connection = new FactoryConnection({
    startEmbedded:
      options.startEmbedded ??
      (() => startEmbeddedFactory({ consoleDataDir: options.dataDir, startFactory: options.startFactory })),
    trust: known,
    ...(options.apiTimeoutMs !== undefined ? { timeoutMs: options.apiTimeoutMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  // The router is created below; events go through this late-bound emitter.
  let router: IpcRouter | null = null;
  const session = new SessionService({
    connection,
    emit: (state) => router?.emit('session', 'onChange', state),
    ...(options.openSignInUrl ? { openSignInUrl: options.openSignInUrl } : {}),
    ...(options.sessionCheckMs !== undefined ? { checkEveryMs: options.sessionCheckMs } : {}),
  });
  const status = new StatusService(
    connection,
    (next) => router?.emit('status', 'onChange', next),
    options.statusIntervalMs,
  );
  const settings = new SettingsService(
    options.settings,
    async (next, previous) => {
      if (next.serverUrl !== previous.serverUrl) await connection.connect(next.serverUrl);
    },
    // Nothing is replaced until the new server is known good: an https server only once
    // its certificate was confirmed (server.trust), and any server only when it answers.
    async (next, previous) => {
      if (next.serverUrl === null || next.serverUrl === previous.serverUrl) return;
      trust.requireTrusted(next.serverUrl);
      await connection.check(next.serverUrl);
    },
  );
  const trust = new ServerTrustService(known, {
    // A new pin for the server in use (its certificate was renewed): reconnect through it.
    onPinned: async (origin) => {
      const current = options.settings.read().serverUrl;
      if (current !== null && originOf(current) === origin) await connection.connect(current);
    },
  });
  const app = new AppService({
    name: 'Factory Console',
    version: options.version,
    shell: options.shell,
    connection,
    openExternal: options.openExternal,
    chooseSavePath: options.chooseSavePath,
    externalHosts: externalHostAllowList,
  });

  const env = options.env ? { env: options.env } : {};
  const vault = new VaultLockService({
    home,
    ...env,
    autoLockMinutes: () => options.settings.read().autoLockMinutes,
    strictHardware: () => options.settings.read().strictHardware,
    emit: (state) => router?.emit('vault', 'onChange', state),
    // The same password signs in when the console is on the activation's server, or on
    // the embedded factory for an activation made with an earlier run of it (its port may
    // have moved; the unlock then proves its key): never on another server.
    signIn: async (activation, password) => {
      const info = connection.info;
      const here =
        info.serverUrl !== null &&
        (sameServerAddress({ server_url: activation.serverUrl }, info.serverUrl) ||
          (info.embedded && new URL(activation.serverUrl).hostname === '127.0.0.1'));
      return here ? session.login({ email: activation.email, password }) : session.getState();
    },
    sessionState: () => session.getState(),
  });
  const resources = new ResourcesService({
    home,
    ...env,
    connection,
    trust: known,
    vault,
    strictHardware: () => options.settings.read().strictHardware,
    emit: (progress) => router?.emit('resources', 'onUnlockProgress', progress),
  });
  const machine = new MachineService({
    home,
    ...env,
    connection,
    trust: known,
    removeLocal: removeLocalActivation,
    onActivationChanged: async () => {
      resources.cancelAll();
      await vault.lock();
    },
  });
  const audit = new AuditService(connection, (entry) => router?.emit('audit', 'onEntry', entry), home);
  const firewall = new FirewallService(connection);
  const account = new AccountService(connection);

  const handlers: BridgeHandlers = {
    server: trust,
    audit,
    firewall,
    resources,
    machine,
    vault,
    session,
    account,
    status,
    settings,
    app,
  };
  router = new IpcRouter({ handlers, isTrustedSender: options.isTrustedSender, log: options.log });

  return {
    router,
    connection,
    services: handlers,
    async start() {
      session.start();
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
      session.stop();
      status.stop();
      audit.stop();
      firewall.stop();
      await connection.close();
    },
  };
}
