/**
 * Which Factory API the console talks to: the configured server URL, or — when none is
 * configured — the embedded default, a local demo Factory API this class starts and
 * stops. Everything that talks to the server asks this class for the current client.
 */
import { FactoryApiClient } from '../api/factory-api.client.ts';
import { ConsoleError } from '../console-error.ts';
import type { EmbeddedFactory } from '../embedded/embedded-factory.ts';

export type EmbeddedStarter = () => Promise<EmbeddedFactory>;

export interface ConnectionInfo {
  serverUrl: string | null;
  embedded: boolean;
  adminEmail: string | null;
}

export class FactoryConnection {
  readonly #startEmbedded: EmbeddedStarter;
  readonly #timeoutMs: number | undefined;
  #client: FactoryApiClient | null = null;
  #embedded: EmbeddedFactory | null = null;
  #monitor: FactoryApiClient | null = null;
  #failure: string | null = null;
  #pending: Promise<void> = Promise.resolve();

  constructor(options: { startEmbedded: EmbeddedStarter; timeoutMs?: number }) {
    this.#startEmbedded = options.startEmbedded;
    this.#timeoutMs = options.timeoutMs;
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
          this.#failure = error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
          throw error;
        },
      );
    return this.#pending;
  }

  async #connect(serverUrl: string | null): Promise<void> {
    if (serverUrl === null && this.#embedded) {
      this.#client ??= new FactoryApiClient({ baseUrl: this.#embedded.url, timeoutMs: this.#timeoutMs });
      return;
    }
    await this.#stopEmbedded();
    this.#client = null;
    this.#monitor = null;
    if (serverUrl === null) {
      this.#embedded = await this.#startEmbedded();
      this.#client = new FactoryApiClient({ baseUrl: this.#embedded.url, timeoutMs: this.#timeoutMs });
    } else {
      this.#client = new FactoryApiClient({ baseUrl: serverUrl, timeoutMs: this.#timeoutMs });
    }
  }

  /** The current client; `unavailable` while connecting or after a failed start. */
  get client(): FactoryApiClient {
    if (!this.#client) {
      throw new ConsoleError(
        'unavailable',
        this.#failure
          ? `The embedded Factory API could not start: ${this.#failure}`
          : 'The console is not connected to a Factory API yet.',
      );
    }
    return this.#client;
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
        return await call(monitor);
      } catch (error) {
        if (attempt > 0 || !(error instanceof ConsoleError) || error.code !== 'unauthenticated') throw error;
        if (this.#monitor === monitor) this.#monitor = null;
      }
    }
  }

  async #monitorFor(embedded: EmbeddedFactory): Promise<FactoryApiClient | null> {
    if (this.#monitor?.signedIn) return this.#monitor;
    const password = await embedded.readAdminPassword();
    if (password === undefined) return null;
    const monitor = new FactoryApiClient({ baseUrl: embedded.url, timeoutMs: this.#timeoutMs });
    await monitor.login(embedded.adminEmail, password);
    if (this.#embedded === embedded) this.#monitor = monitor;
    return monitor;
  }

  get info(): ConnectionInfo {
    return {
      serverUrl: this.#client?.baseUrl ?? null,
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
    this.#client = null;
    await this.#stopEmbedded();
  }

  async #stopEmbedded(): Promise<void> {
    this.#monitor = null;
    const embedded = this.#embedded;
    this.#embedded = null;
    if (embedded) await embedded.close();
  }
}
