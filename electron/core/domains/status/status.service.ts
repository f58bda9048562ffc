/**
 * The Status view's source: asks the Factory API for its mode and posture, and polls
 * it so the UI hears each poll's answer (`status.onChange`) without asking.
 */
import type { FactoryStatus } from '../../../../shared/common/contract/bridge.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import type { FactoryConnection } from '../../factory-api/factory-connection.ts';
import type { DomainHandlers } from '../../ipc/handlers.ts';

export class StatusService implements DomainHandlers<'status'> {
  readonly #connection: FactoryConnection;
  readonly #onChange: (status: FactoryStatus) => void;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;

  constructor(connection: FactoryConnection, onChange: (status: FactoryStatus) => void, intervalMs = 5_000) {
    this.#connection = connection;
    this.#onChange = onChange;
    this.#intervalMs = intervalMs;
    // Another server, or a session that started or ended, changes what the status shows.
    connection.on(() => void this.get().catch(() => undefined));
  }

  /** The server's status now; an unreachable server is a status too, not an error. */
  async get(): Promise<FactoryStatus> {
    const info = this.#connection.info;
    const base = {
      serverUrl: info.serverUrl,
      embedded: info.embedded,
      checkedAt: new Date().toISOString(),
    };
    try {
      const status = await this.#connection.withStatusClient((client) => client.getStatus());
      return this.#remember({
        ...base,
        reachable: true,
        mode: status.mode,
        publicDemo: status.public_demo,
        debug: status.debug,
        version: status.version,
        uptimeSeconds: status.uptime_s,
        tls: status.tls,
        posture: status.posture.map((item) => ({ ...item })),
        problem: null,
      });
    } catch (error) {
      const signInNeeded =
        error instanceof ConsoleError && (error.code === 'unauthenticated' || error.code === 'forbidden');
      const reachable = signInNeeded && (await this.#healthy());
      return this.#remember({
        ...base,
        reachable,
        mode: 'unknown',
        publicDemo: false,
        debug: false,
        version: null,
        uptimeSeconds: null,
        tls: null,
        posture: [],
        problem: reachable
          ? "Sign in to see the server's mode and posture."
          : error instanceof ConsoleError
            ? error.message
            : 'The Factory API could not be asked.',
      });
    }
  }

  async #healthy(): Promise<boolean> {
    try {
      return await this.#connection.client.isHealthy();
    } catch {
      return false;
    }
  }

  /** Starts polling; each poll's status is pushed to the listener. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      void this.get();
    }, this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #remember(status: FactoryStatus): FactoryStatus {
    // Every poll is news: uptime and the check time move each time, and an open Status
    // view must show the poll it just had, not the last one that changed something else.
    this.#onChange(status);
    return status;
  }
}
