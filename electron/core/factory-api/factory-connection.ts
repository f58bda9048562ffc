/**
 * Which Factory API the console talks to: the configured server URL, or — when none is
 * configured — the embedded default, a local demo Factory API this class starts and
 * stops. Everything that talks to the server asks this class for the current
 * connection (docs/ARCHITECTURE.md §One way to the server): one client, pinned through
 * the one trust store. Listeners hear when the server changes and when the session on
 * it starts, is renewed or ends (session events), instead of services calling each other.
 */
import { ErrorCode } from '../../../shared/common/errors.ts';
import type { FactoryApiClient, ClientSession } from './factory-api.client.ts';
import { ConsoleError } from '../platform/console-error.ts';
import type { EmbeddedFactory } from './embedded-factory.ts';
import { connectTrusted, openConnection, type ServerConnection } from './server-connection.ts';
import { originOf, type KnownServersStore } from './trust-store.ts';
import type { ResilientApiClient } from './resilient-api.client.ts';

export type EmbeddedStarter = () => Promise<EmbeddedFactory>;

export interface ConnectionInfo {
  serverUrl: string | null;
  embedded: boolean;
  adminEmail: string | null;
}

/** What listeners of the connection hear. */
export type ConnectionEvent =
  { type: 'server-changed'; serverUrl: string | null } | { type: 'session'; session: ClientSession | null };

export interface FactoryConnectionOptions {
  startEmbedded: EmbeddedStarter;
  timeoutMs?: number;
  /** The trust store: every https connection is pinned to its origin's confirmed certificate. */
  trust: Pick<KnownServersStore, 'pinFor'>;
  /** The clock token expiry is measured on (tests advance it). */
  now?: () => number;
}

/** The views answer people: a few quick retries, not the unlock's patient ones. */
const VIEW_RETRY = { retries: 2, baseDelayMs: 200, maxDelayMs: 1_000 };

export class FactoryConnection {
  readonly #startEmbedded: EmbeddedStarter;
  readonly #timeoutMs: number | undefined;
  readonly #trust: Pick<KnownServersStore, 'pinFor'>;
  readonly #now: (() => number) | undefined;
  readonly #listeners = new Set<(event: ConnectionEvent) => void>();
  #current: ServerConnection | null = null;
  #unsubscribe: (() => void) | null = null;
  #embedded: EmbeddedFactory | null = null;
  #monitor: ServerConnection | null = null;
  /** Why the last connect failed (code and a safe sentence), until the next one succeeds. */
  #failure: ConsoleError | null = null;
  #pending: Promise<void> = Promise.resolve();

  constructor(options: FactoryConnectionOptions) {
    this.#startEmbedded = options.startEmbedded;
    this.#timeoutMs = options.timeoutMs;
    this.#trust = options.trust;
    this.#now = options.now;
  }

  #options() {
    return {
      retry: VIEW_RETRY,
      ...(this.#timeoutMs !== undefined ? { timeoutMs: this.#timeoutMs } : {}),
      ...(this.#now ? { now: this.#now } : {}),
    };
  }

  /** Subscribes to server changes and session events; returns the unsubscribe. */
  on(listener: (event: ConnectionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: ConnectionEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** Points the console at `serverUrl`, or at a freshly started embedded factory when null. */
  connect(serverUrl: string | null): Promise<void> {
    // Serialised: two quick settings changes must not start two embedded servers.
    this.#pending = this.#pending
      .catch(() => undefined)
      .then(() => this.#connect(serverUrl))
      .then(
        () => {
          this.#failure = null;
        },
        (error: unknown) => {
          this.#failure =
            error instanceof ConsoleError
              ? new ConsoleError(error.code, error.message.slice(0, 300))
              : new ConsoleError(
                  ErrorCode.Unavailable,
                  `The embedded Factory API could not start: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`,
                );
          throw error;
        },
      );
    return this.#pending;
  }

  async #connect(serverUrl: string | null): Promise<void> {
    if (serverUrl === null && this.#embedded && this.#current) return;
    const before = this.#current?.client.baseUrl ?? null;
    await this.#stopEmbedded();
    this.#drop();
    if (serverUrl === null) {
      this.#embedded = await this.#startEmbedded();
      this.#adopt(openConnection(this.#embedded.url, null, this.#options()));
    } else {
      // https goes only through the confirmed pin: the handshake fails before a byte is sent elsewhere.
      this.#adopt(connectTrusted(serverUrl, this.#trust, this.#options()));
    }
    if (this.#current?.client.baseUrl !== before)
      this.#emit({ type: 'server-changed', serverUrl: this.#current?.client.baseUrl ?? null });
  }

  #adopt(connection: ServerConnection): void {
    this.#current = connection;
    this.#unsubscribe = connection.client.onSessionChange((session) => {
      if (this.#current === connection) this.#emit({ type: 'session', session });
    });
  }

  #drop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    const had = this.#current?.client.signedIn === true;
    this.#current?.close();
    this.#current = null;
    this.#monitor?.close();
    this.#monitor = null;
    if (had) this.#emit({ type: 'session', session: null });
  }

  /**
   * Checks that a Factory API answers at `serverUrl` (its public `/health`, through the
   * pin the trust store holds for https), without changing anything: a settings change
   * to an address where nothing listens is refused before the current server is let go.
   */
  async check(serverUrl: string): Promise<void> {
    const probe = connectTrusted(serverUrl, this.#trust, {
      timeoutMs: Math.min(this.#timeoutMs ?? 5_000, 5_000),
      retry: { retries: 0 },
    });
    try {
      await probe.client.isHealthy();
    } catch (error) {
      const why = error instanceof ConsoleError ? error.message : 'no answer';
      throw new ConsoleError(
        error instanceof ConsoleError && error.code === ErrorCode.CertificateMismatch
          ? ErrorCode.CertificateMismatch
          : ErrorCode.Unavailable,
        `No Factory API answers at ${originOf(serverUrl)} (${why.slice(0, 200)}). The console stays on its current server: check the address and that the server runs.`,
      );
    } finally {
      probe.close();
    }
  }

  /** The current connection (client and pinned transport); `unavailable` while connecting or after a failed start. */
  get current(): ServerConnection {
    if (!this.#current) {
      throw (
        this.#failure ??
        new ConsoleError(ErrorCode.Unavailable, 'The console is not connected to a Factory API yet.')
      );
    }
    return this.#current;
  }

  /** The current connection's client. */
  get client(): ResilientApiClient {
    return this.current.client;
  }

  /**
   * Runs `call` with a client allowed to read the status. For the embedded factory, the
   * console signs a second client in as the factory's first-run admin (the password
   * the server left in its own data folder), so the Status view works before the
   * operator signs in; an expired token is renewed once. Otherwise the operator's client.
   */
  async withStatusClient<T>(call: (client: FactoryApiClient) => Promise<T>): Promise<T> {
    const client = this.client;
    const embedded = this.#embedded;
    if (client.signedIn || !embedded) return call(client);
    for (let attempt = 0; ; attempt += 1) {
      const monitor = await this.#monitorFor(embedded);
      if (!monitor) return call(client);
      try {
        return await call(monitor.client);
      } catch (error) {
        if (attempt > 0 || !(error instanceof ConsoleError) || error.code !== 'unauthenticated') throw error;
        if (this.#monitor === monitor) this.#monitor = null;
        monitor.close();
      }
    }
  }

  async #monitorFor(embedded: EmbeddedFactory): Promise<ServerConnection | null> {
    if (this.#monitor?.client.signedIn) return this.#monitor;
    const password = await embedded.readAdminPassword();
    if (password === undefined) return null;
    const monitor = openConnection(embedded.url, null, this.#options());
    try {
      await monitor.client.login(embedded.adminEmail, password);
    } catch (error) {
      monitor.close();
      throw error;
    }
    if (this.#embedded !== embedded) {
      monitor.close();
      return null;
    }
    this.#monitor?.close();
    this.#monitor = monitor;
    return monitor;
  }

  get info(): ConnectionInfo {
    return {
      serverUrl: this.#current?.client.baseUrl ?? null,
      embedded: this.#embedded !== null,
      adminEmail: this.#embedded?.adminEmail ?? null,
    };
  }

  /** Waits for a connect in flight. */
  async ready(): Promise<void> {
    await this.#pending;
  }

  async close(): Promise<void> {
    await this.#pending.catch(() => undefined);
    this.#drop();
    await this.#stopEmbedded();
  }

  async #stopEmbedded(): Promise<void> {
    this.#monitor?.close();
    this.#monitor = null;
    const embedded = this.#embedded;
    this.#embedded = null;
    if (embedded) await embedded.close();
  }
}
