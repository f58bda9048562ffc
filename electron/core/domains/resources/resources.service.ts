/**
 * `resources.*`, over the same core as the CLI: the unlock pipeline and the vault,
 * with state in the console home. Everything online goes through the console's one
 * signed-in session on the connected server (the activation's server, by identity):
 * the password of an unlock only opens the machine key, never signs in again.
 * Services know nothing of IPC: progress goes to `emit`.
 *
 * Secrets: the password arrives with the call (validated by the router), is used for
 * this call only and is never stored, logged or sent back. Key material stays here.
 */
import { randomUUID } from 'node:crypto';
import type {
  ResourceExportResult,
  ResourceSummary,
  UnlockJob,
  UnlockProgress,
} from '../../../../shared/common/contract/bridge.ts';
import type {
  JobInput,
  ResourceExportInput,
  ResourceInput,
  UnlockInput,
} from '../../../../shared/common/contract/inputs.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { isIntegrityError } from '../../../../shared/node/crypto/errors.ts';
import type { FactoryConnection } from '../../factory-api/factory-connection.ts';
import type { ServerConnection } from '../../factory-api/server-connection.ts';
import type { KnownServersStore } from '../../factory-api/trust-store.ts';
import { requireActivation } from '../machine/activation.store.ts';
import { activationOnServer } from '../machine/server-binding.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import type { DomainHandlers } from '../../ipc/handlers.ts';
import { listRecords, findRecord } from '../vault/vault.store.ts';
import type { VaultLockService } from '../vault/vault.service.ts';
import { verifyManifest } from '../vault/signed-objects.ts';
import { unlockResourceExclusive } from './exclusive-unlock.ts';
import { exportVaultItem, type ReportExport } from './vault-export.ts';
import { mergeResourceRows } from './resource-rows.ts';
import { processEnvironment } from '../../platform/environment.ts';

export interface ResourcesServiceOptions {
  home: string;
  connection: FactoryConnection;
  trust: Pick<KnownServersStore, 'pinFor'>;
  emit: (progress: UnlockProgress) => void;
  /** The vault's lock: exports without a password use its key. */
  vault: VaultLockService;
  /** The strict-hardware setting, applied wherever the machine key is opened. */
  strictHardware: () => boolean;
  /** The environment the fingerprint is read in; default the process's. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * What a failed unlock tells the UI: the code and sentence of a ConsoleError (a
 * FactoryApiError included; their messages are written to be shown, like the router's
 * results), the crypto core's fixed integrity sentence, a cancellation, and for anything
 * else a fixed sentence: an unexpected error's own message may quote a secret.
 */
export function unlockFailure(error: unknown, signal?: AbortSignal): BridgeError {
  if (error instanceof ConsoleError) return { code: error.code, message: error.message };
  if (isIntegrityError(error)) return { code: error.code, message: error.message };
  if (signal?.aborted || (error instanceof Error && error.name === 'AbortError'))
    return { code: ErrorCode.Cancelled, message: 'The unlock was cancelled.' };
  return { code: ErrorCode.Internal, message: 'The unlock failed for an unexpected reason.' };
}

export class ResourcesService implements DomainHandlers<'resources'> {
  readonly #deps: ResourcesServiceOptions;
  readonly #jobs = new Map<string, AbortController>();

  constructor(deps: ResourcesServiceOptions) {
    this.#deps = deps;
  }

  get #env() {
    return this.#deps.env ?? processEnvironment();
  }

  get #strict(): boolean {
    return this.#deps.strictHardware();
  }

  /** The connected server's connection when someone is signed in on it. */
  #session(): ServerConnection | undefined {
    try {
      const current = this.#deps.connection.current;
      return current.client.signedIn ? current : undefined;
    } catch {
      return undefined;
    }
  }

  /** The signed-in connection and the activation bound to its server; a clear error otherwise. */
  async #online(what: string) {
    const connection = this.#session();
    if (!connection)
      throw new ConsoleError(
        ErrorCode.Unauthenticated,
        `Sign in to the Factory API to ${what} (the password here only opens this machine's key).`,
      );
    const activation = await activationOnServer(this.#deps.home, connection, (url) =>
      this.#deps.trust.pinFor(url),
    );
    return { connection, activation };
  }

  /** Cancels every running unlock (the activation changed). */
  cancelAll(): void {
    for (const controller of this.#jobs.values()) controller.abort();
  }

  /**
   * The server's resources (when signed in) merged with the vault's: locked / unlocked /
   * offline. With the server's list out of reach the vault's items are listed (offline
   * use); with none, the reason is the answer (signed out, server down), never an empty
   * list that reads as "nothing is published".
   */
  async list(): Promise<ResourceSummary[]> {
    const records = await listRecords(this.#deps.home);
    const session = this.#session();
    if (!session) {
      if (records.length === 0)
        throw new ConsoleError(ErrorCode.Unauthenticated, "Sign in to see the server's resources.");
      return mergeResourceRows([], records);
    }
    let server: Awaited<ReturnType<typeof session.client.listResources>> = [];
    try {
      server = await session.client.listResources();
    } catch (error) {
      if (records.length === 0) throw error;
    }
    return mergeResourceRows(server, records);
  }

  /** Starts an unlock in the background; progress and the outcome arrive as `onUnlockProgress` events. */
  async unlock(input: UnlockInput): Promise<UnlockJob> {
    await requireActivation(this.#deps.home);
    const { connection } = await this.#online('unlock resources');
    const jobId = randomUUID();
    const controller = new AbortController();
    this.#jobs.set(jobId, controller);
    const base = { jobId, resourceId: input.resourceId };
    let last: UnlockProgress = {
      ...base,
      phase: 'manifest',
      bytes: 0,
      totalBytes: 0,
      bytesPerSecond: 0,
      etaSeconds: null,
    };
    this.#deps.emit(last);
    // Under the item's lock, keyed by id and by name: an unlock of the same resource
    // elsewhere (`factory-console unlock NAME`) is refused, not interleaved.
    void unlockResourceExclusive({
      home: this.#deps.home,
      idOrName: input.resourceId,
      alsoKnownAs: () => this.#serverNames(connection, input.resourceId),
      password: input.password,
      connection,
      env: this.#env,
      strict: this.#strict,
      signal: controller.signal,
      onProgress: (progress) => {
        last = {
          ...base,
          phase: progress.phase,
          bytes: progress.bytes,
          totalBytes: progress.total,
          bytesPerSecond: progress.rate,
          etaSeconds: progress.etaSeconds,
        };
        this.#deps.emit(last);
      },
    })
      .then(() => this.#deps.emit({ ...last, phase: 'done', etaSeconds: 0 }))
      .catch((error: unknown) =>
        this.#deps.emit({
          ...last,
          phase: 'failed',
          etaSeconds: null,
          error: unlockFailure(error, controller.signal),
        }),
      )
      .finally(() => this.#jobs.delete(jobId));
    return { jobId, resourceId: input.resourceId };
  }

  /** The resource's name in the server's list (signed-in session), for the unlock's lock; none when unknown. */
  async #serverNames(connection: ServerConnection, resourceId: string): Promise<string[]> {
    const listed = await connection.client.listResources().catch(() => []);
    return listed.filter((resource) => resource.id === resourceId).map((resource) => resource.name);
  }

  /**
   * Exports a vault item to a new file (offline capable, audited or queued); see
   * `exportVaultItem`. With a password it opens the machine key itself; without one it
   * uses the unlocked vault's key (a clear `unauthenticated` error while locked).
   */
  async exportTo(input: ResourceExportInput): Promise<ResourceExportResult> {
    const common = {
      home: this.#deps.home,
      resourceId: input.resourceId,
      target: input.path,
      env: this.#env,
      strict: this.#strict,
    };
    const report = this.#reporter();
    if (input.password !== undefined)
      return exportVaultItem({ ...common, password: input.password, ...(report ? { report } : {}) });
    return this.#deps.vault.withKey((privateKey) =>
      exportVaultItem({ ...common, key: { privateKey }, ...(report ? { report } : {}) }),
    );
  }

  /** Reports an export through the signed-in session on the activation's server (else it is queued). */
  #reporter(): ReportExport | undefined {
    if (!this.#session()) return undefined;
    return async (resourceId, event) => {
      const { connection } = await this.#online('report the export');
      await connection.client.reportExport(resourceId, { ...event, offline: false });
    };
  }

  async cancelUnlock(input: JobInput): Promise<{ cancelled: boolean }> {
    const job = this.#jobs.get(input.jobId);
    job?.abort();
    return { cancelled: job !== undefined };
  }

  /** Checks a resource's manifest signature with the pinned server key: from the vault, else from the server. */
  async verifyManifest(input: ResourceInput): Promise<{ valid: boolean }> {
    const stored = await requireActivation(this.#deps.home);
    const record = await findRecord(this.#deps.home, input.resourceId);
    try {
      if (record) {
        verifyManifest(stored.server_key, record.manifest, record.manifest.manifest.resource_id);
        return { valid: true };
      }
      const { connection, activation } = await this.#online('check the manifest of a locked resource');
      verifyManifest(
        activation.server_key,
        await connection.client.getManifest(input.resourceId),
        input.resourceId,
      );
      return { valid: true };
    } catch (error) {
      if (error instanceof ConsoleError && error.code === ErrorCode.IntegrityFailed) return { valid: false };
      throw error;
    }
  }
}
