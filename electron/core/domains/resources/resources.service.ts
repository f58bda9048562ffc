/**
 * The machine and resources calls of the IPC contract (`machine.*`, `resources.*`),
 * over the same core as the CLI: activation, the unlock pipeline and the vault, with
 * state in the console home. Services know nothing of IPC: progress goes to `emit`.
 *
 * Secrets: the password arrives with the call (validated by the router), is used for
 * this call only and is never stored, logged or sent back. Key material stays here.
 */
import { randomUUID } from 'node:crypto';
import type {
  MachineInfo,
  ResourceExportResult,
  ResourceSummary,
  UnlockJob,
  UnlockProgress,
} from '../../../../shared/common/contract/bridge.ts';
import type {
  ActivateInput,
  JobInput,
  ResourceExportInput,
  ResourceInput,
  UnlockInput,
} from '../../../../shared/common/contract/inputs.ts';
import { resourceListResponseSchema } from '../../../../shared/common/api/resources.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { isIntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { activateMachine, connect } from '../machine/activation.ts';
import { readActivation, requireActivation } from '../machine/activation.store.ts';
import { removeLocalActivation } from '../machine/deactivation.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import type { BridgeHandlers } from '../../ipc/handlers.ts';
import { bindingStrength } from '../machine/binding-strength.ts';
import { COMPONENT_NAMES } from '../machine/components.ts';
import { displayValue } from '../machine/fingerprint.report.ts';
import { listRecords, findRecord } from '../vault/vault.store.ts';
import { fingerprintFor } from '../vault/vault-opener.ts';
import type { VaultLockService } from '../vault/vault.service.ts';
import { verifyManifest } from '../vault/signed-objects.ts';
import { unlockResourceExclusive } from './exclusive-unlock.ts';
import { exportVaultItem, type ReportExport } from './vault-export.ts';
import { mergeResourceRows } from './resource-rows.ts';

export interface UnlockServiceDeps {
  home: string;
  /** The server the console is connected to, and who is signed in (for activation). */
  session: () => Promise<{ serverUrl: string | null; email: string | null }>;
  emit: (progress: UnlockProgress) => void;
  /** The server's resource list through the signed-in session (undefined: vault only). */
  listServer?: () => Promise<unknown>;
  /** Revokes a machine on the connected server through the signed-in session. */
  deactivateOnServer?: (machineId: string) => Promise<void>;
  env?: Readonly<Record<string, string | undefined>>;
  /** The vault's lock: exports without a password use its key; (de)activation locks it. */
  vault?: VaultLockService;
  /** The strict-hardware setting, applied wherever the machine key is opened. */
  strictHardware?: () => boolean;
  /** Reports a password-less export through the signed-in session (absent or failing: queued). */
  reportExport?: ReportExport;
  /** The certificate fingerprint the operator confirmed for an https server (server.trust). */
  trustedFingerprint?: (serverUrl: string) => string | undefined;
}

export class UnlockService {
  readonly #deps: UnlockServiceDeps;
  readonly #jobs = new Map<string, AbortController>();

  constructor(deps: UnlockServiceDeps) {
    this.#deps = deps;
  }

  get #env() {
    return this.#deps.env ?? process.env;
  }

  get #strict(): boolean {
    return this.#deps.strictHardware?.() ?? false;
  }

  async machineInfo(): Promise<MachineInfo> {
    const fingerprint = await fingerprintFor(this.#env);
    const activation = await readActivation(this.#deps.home);
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

  /**
   * Deactivates like the CLI: the server revokes the machine first (through the session
   * signed in to the activation's server), and only then is the local state deleted, so
   * a refusal leaves everything as it was. Running unlocks are cancelled.
   */
  async deactivate(): Promise<MachineInfo> {
    const activation = await requireActivation(this.#deps.home);
    const { serverUrl, email } = await this.#deps.session();
    const deactivateOnServer = this.#deps.deactivateOnServer;
    if (!serverUrl || !email || !deactivateOnServer)
      throw new ConsoleError(
        ErrorCode.Unauthenticated,
        'Sign in to the Factory API before deactivating this machine.',
      );
    if (new URL(serverUrl).origin !== new URL(activation.server_url).origin)
      throw new ConsoleError(
        ErrorCode.Conflict,
        `This machine is activated with ${activation.server_url}; sign in there to deactivate it (or run "factory-console deactivate --local-only").`,
      );
    await deactivateOnServer(activation.machine_id);
    for (const controller of this.#jobs.values()) controller.abort();
    await removeLocalActivation(this.#deps.home);
    await this.#deps.vault?.lock();
    return this.machineInfo();
  }

  /**
   * Activates against the connected server as the signed-in account. For https the
   * certificate the operator confirmed (`server.trust`) is the one pinned; the server
   * must still present it.
   */
  async activate(input: ActivateInput): Promise<MachineInfo> {
    const { serverUrl, email } = await this.#deps.session();
    if (!serverUrl || !email)
      throw new ConsoleError(
        ErrorCode.Unauthenticated,
        'Sign in to the Factory API before activating this machine.',
      );
    const fingerprint = this.#deps.trustedFingerprint?.(serverUrl);
    await activateMachine({
      home: this.#deps.home,
      serverUrl,
      email,
      password: input.password,
      label: input.label,
      env: this.#env,
      ...(fingerprint !== undefined ? { fingerprint } : {}),
    });
    // A new activation has a new key: the vault starts locked, and the UI hears of it.
    await this.#deps.vault?.lock();
    return this.machineInfo();
  }

  /**
   * The server's resources (when signed in) merged with the vault's: locked / unlocked /
   * offline. With the server's list out of reach the vault's items are listed (offline
   * use); with none, the reason is the answer, never an empty list that reads as
   * "nothing is published".
   */
  async list(): Promise<ResourceSummary[]> {
    const listServer = this.#deps.listServer;
    const records = await listRecords(this.#deps.home);
    let answer: unknown;
    try {
      answer = listServer ? await listServer() : undefined;
    } catch (error) {
      if (records.length === 0) throw error;
    }
    const parsed = resourceListResponseSchema.safeParse(answer);
    return mergeResourceRows(parsed.success ? parsed.data.resources : [], records);
  }

  /** Starts an unlock in the background; progress and the outcome arrive as `onUnlockProgress` events. */
  async unlock(input: UnlockInput): Promise<UnlockJob> {
    await requireActivation(this.#deps.home);
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
      alsoKnownAs: () => this.#serverNames(input.resourceId),
      password: input.password,
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
  async #serverNames(resourceId: string): Promise<string[]> {
    const listed = await this.#deps.listServer?.().catch(() => undefined);
    const parsed = resourceListResponseSchema.safeParse(listed);
    if (!parsed.success) return [];
    return parsed.data.resources
      .filter((resource) => resource.id === resourceId)
      .map((resource) => resource.name);
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
    if (input.password !== undefined) return exportVaultItem({ ...common, password: input.password });
    const vault = this.#deps.vault;
    if (!vault)
      throw new ConsoleError(ErrorCode.Unauthenticated, 'Give the password to export this vault item.');
    const report = this.#deps.reportExport;
    return vault.withKey((privateKey) =>
      exportVaultItem({ ...common, key: { privateKey }, ...(report ? { report } : {}) }),
    );
  }

  async cancelUnlock(input: JobInput): Promise<{ cancelled: boolean }> {
    const job = this.#jobs.get(input.jobId);
    job?.abort();
    return { cancelled: job !== undefined };
  }

  /** Checks a resource's manifest signature with the pinned server key: from the vault, else from the server. */
  async verifyManifest(input: ResourceInput): Promise<{ valid: boolean }> {
    const activation = await requireActivation(this.#deps.home);
    const record = await findRecord(this.#deps.home, input.resourceId);
    try {
      if (record) {
        verifyManifest(activation.server_key, record.manifest, record.manifest.manifest.resource_id);
        return { valid: true };
      }
      const connection = connect(activation.server_url, activation.certificate);
      try {
        verifyManifest(
          activation.server_key,
          await connection.client.getManifest(input.resourceId),
          input.resourceId,
        );
        return { valid: true };
      } finally {
        connection.close();
      }
    } catch (error) {
      if (error instanceof ConsoleError && error.code === ErrorCode.IntegrityFailed) return { valid: false };
      throw error;
    }
  }
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

/** The IPC handlers of `machine.*` and `resources.*` over one service. */
export function unlockHandlers(service: UnlockService): Pick<BridgeHandlers, 'machine' | 'resources'> {
  return {
    machine: {
      getInfo: () => service.machineInfo(),
      activate: (input) => service.activate(input),
      deactivate: () => service.deactivate(),
    },
    resources: {
      list: () => service.list(),
      unlock: (input) => service.unlock(input),
      exportTo: (input) => service.exportTo(input),
      cancelUnlock: (input) => service.cancelUnlock(input),
      verifyManifest: (input) => service.verifyManifest(input),
    },
  };
}
