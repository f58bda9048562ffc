/**
 * `machine.*`: this machine's fingerprint and activation. Activation and deactivation
 * go through the console's signed-in session on the connected server (one client, one
 * trust store): the password only seals or opens the machine key here and never signs
 * in a second time, so a mistyped one cannot count towards the account's lock-out.
 *
 * Secrets: the password arrives with the call, is used for it only and never stored,
 * logged or sent back. Serials leave this side masked only.
 */
import type { MachineInfo } from '../../../../shared/common/contract/bridge.ts';
import type { ActivateInput } from '../../../../shared/common/contract/inputs.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import type { FactoryConnection } from '../../factory-api/factory-connection.ts';
import type { KnownServersStore } from '../../factory-api/trust-store.ts';
import type { DomainHandlers } from '../../ipc/handlers.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { activateMachine } from './activation.ts';
import { readActivation } from './activation.store.ts';
import { bindingStrength } from './binding-strength.ts';
import { COMPONENT_NAMES } from './components.ts';
import { fingerprintFor } from './fingerprint.collector.ts';
import { displayValue } from './fingerprint.report.ts';
import { activationOnServer } from './server-binding.ts';
import { processEnvironment } from '../../platform/environment.ts';

export interface MachineServiceOptions {
  home: string;
  connection: FactoryConnection;
  trust: Pick<KnownServersStore, 'pin' | 'pinFor'>;
  /** The environment the fingerprint is read in (FACTORY_FINGERPRINT_FILE); default the process's. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Removes the machine key, the vault and the activation here (the vault's local deactivation). */
  removeLocal: (home: string) => Promise<void>;
  /** Called after the activation changed (activated, deactivated): cancel unlocks, lock the vault. */
  onActivationChanged: () => Promise<void>;
}

export class MachineService implements DomainHandlers<'machine'> {
  readonly #options: MachineServiceOptions;

  constructor(options: MachineServiceOptions) {
    this.#options = options;
  }

  async getInfo(): Promise<MachineInfo> {
    const fingerprint = await fingerprintFor(this.#options.env ?? processEnvironment());
    const activation = await readActivation(this.#options.home);
    const report = bindingStrength(fingerprint.components);
    return {
      components: COMPONENT_NAMES.map((name) => {
        const value = fingerprint.components[name];
        // Serials leave the main side masked only (displayValue keeps the last four characters).
        return {
          name,
          present: value !== undefined,
          display: value === undefined ? null : displayValue(name, value),
        };
      }),
      bindingStrength: report.hardware.length,
      activated: activation !== undefined,
      machineId: activation?.machine_id ?? null,
      leaseValidUntil: activation?.lease.lease.valid_until ?? null,
      // Public identifiers only: the pinned PEM and public key stay on the main side.
      serverUrl: activation?.server_url ?? null,
      serverCertificateFingerprint: activation?.certificate?.fingerprint256 ?? null,
      serverKeyId: activation?.key_id ?? null,
    };
  }

  /** The connected server's connection, signed in; a clear `unauthenticated` otherwise. */
  #signedIn(what: string) {
    let connection;
    try {
      connection = this.#options.connection.current;
    } catch {
      connection = undefined;
    }
    const session = connection?.client.session;
    if (!connection || !session)
      throw new ConsoleError(ErrorCode.Unauthenticated, `Sign in to the Factory API before ${what}.`);
    return { connection, email: session.user.email };
  }

  /**
   * Activates against the connected server as the signed-in account. For https the
   * certificate the operator confirmed (`server.trust`) is the one pinned; the server
   * must still present it.
   */
  async activate(input: ActivateInput): Promise<MachineInfo> {
    const { connection, email } = this.#signedIn('activating this machine');
    const serverUrl = connection.client.baseUrl;
    const fingerprint = this.#options.trust.pinFor(serverUrl)?.fingerprint256;
    await activateMachine({
      home: this.#options.home,
      serverUrl,
      email,
      password: input.password,
      label: input.label,
      connection,
      trust: this.#options.trust,
      ...(this.#options.env ? { env: this.#options.env } : {}),
      ...(fingerprint !== undefined ? { fingerprint } : {}),
    });
    // A new activation has a new key: the vault starts locked, and the UI hears of it.
    await this.#options.onActivationChanged();
    return this.getInfo();
  }

  /**
   * Deactivates like the CLI: the server revokes the machine first (through the session
   * on the activation's server — the same server at a new address counts, once it
   * proved its signing key), and only then is the local state deleted, so a refusal
   * leaves everything as it was.
   */
  async deactivate(): Promise<MachineInfo> {
    const { connection } = this.#signedIn('deactivating this machine');
    const activation = await activationOnServer(this.#options.home, connection, (url) =>
      this.#options.trust.pinFor(url),
    );
    await connection.client.deactivateMachine(activation.machine_id);
    await this.#options.removeLocal(this.#options.home);
    await this.#options.onActivationChanged();
    return this.getInfo();
  }
}
