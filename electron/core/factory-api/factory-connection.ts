/**
 * Which Factory API the console talks to: the configured server URL, or — when none is
 * configured — the embedded default, a local demo Factory API this class starts and
 * stops. Everything that talks to the server asks this class for the current client.
 */
import { ErrorCode } from '../../../shared/common/errors.ts';
import { FactoryApiClient } from './factory-api.client.ts';
import { PinnedTransport, type CertificatePin } from './pinned-transport.ts';
import { ConsoleError } from '../platform/console-error.ts';
import type { EmbeddedFactory } from './embedded-factory.ts';

export type EmbeddedStarter = () => Promise<EmbeddedFactory>;

export interface ConnectionInfo {
  serverUrl: string | null;
  embedded: boolean;
  adminEmail: string | null;
}

export interface FactoryConnectionOptions {
  startEmbedded: EmbeddedStarter;
  timeoutMs?: number;
  /** The certificate the operator confirmed for an https server (see ServerTrustService). */
  pinFor?: (serverUrl: string) => CertificatePin | undefined;
}

export class FactoryConnection {
  readonly #startEmbedded: EmbeddedStarter;
  readonly #timeoutMs: number | undefined;
  readonly #pinFor: (serverUrl: string) => CertificatePin | undefined;
  #client: FactoryApiClient | null = null;
  #transport: PinnedTransport | null = null;
  #embedded: EmbeddedFactory | null = null;
  #monitor: FactoryApiClient | null = null;
  /** Why the last connect failed (code and a safe sentence), until the next one succeeds. */
  #failure: ConsoleError | null = null;
  #pending: Promise<void> = Promise.resolve();

  constructor(options: FactoryConnectionOptions) {
    this.#startEmbedded = options.startEmbedded;
    this.#timeoutMs = options.timeoutMs;
    this.#pinFor = options.pinFor ?? (() => undefined);
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
    if (serverUrl === null && this.#embedded) {
      this.#client ??= new FactoryApiClient({ baseUrl: this.#embedded.url, timeoutMs: this.#timeoutMs });
      return;
    }
    await this.#stopEmbedded();
    this.#dropClient();
    if (serverUrl === null) {
      this.#embedded = await this.#startEmbedded();
      this.#client = new FactoryApiClient({ baseUrl: this.#embedded.url, timeoutMs: this.#timeoutMs });
    } else {
      this.#client = this.#pinnedClient(serverUrl);
    }
  }

  /**
   * A client for a configured server. https goes only through the confirmed pin: the
   * handshake fails before a byte (a password, a token) is sent to any other certificate.
   */
  #pinnedClient(serverUrl: string): FactoryApiClient {
    if (new URL(serverUrl).protocol !== 'https:')
      return new FactoryApiClient({ baseUrl: serverUrl, timeoutMs: this.#timeoutMs });
    const pin = this.#pinFor(serverUrl);
    if (!pin)
      throw new ConsoleError(
        ErrorCode.CertificateMismatch,
        `No certificate is confirmed for ${new URL(serverUrl).origin}: check its fingerprint and trust it (Sign in view).`,
      );
    this.#transport = new PinnedTransport(serverUrl, { pin });
    return new FactoryApiClient({
      baseUrl: serverUrl,
      timeoutMs: this.#timeoutMs,
      fetch: this.#transport.fetch,
    });
  }

  #dropClient(): void {
    this.#client = null;
    this.#monitor = null;
    this.#transport?.close();
    this.#transport = null;
  }

  /** The current client; `unavailable` while connecting or after a failed start. */
  get client(): FactoryApiClient {
    if (!this.#client) {
      throw (
        this.#failure ??
        new ConsoleError(ErrorCode.Unavailable, 'The console is not connected to a Factory API yet.')
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
    this.#dropClient();
    await this.#stopEmbedded();
  }

  async #stopEmbedded(): Promise<void> {
    this.#monitor = null;
    const embedded = this.#embedded;
    this.#embedded = null;
    if (embedded) await embedded.close();
  }
}
