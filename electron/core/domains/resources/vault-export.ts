/**
 * `resources.exportTo`: the plaintext of a vault item into a new local file, offline
 * capable (docs/ARCHITECTURE.md §The offline vault). The bytes come from the unlock engineer's `exportToFile`
 * (every chunk's MAC checked, temp 0600 + rename) after `openVaultItem` verified the
 * manifest, the lease, the clock and the machine key. Audited like the CLI's `--out`:
 * reported to the server at once when it answers, otherwise queued for the next unlock.
 * The machine key is opened with the password, or is the unlocked vault's (no password:
 * then the caller's `report` tells the server, as there is nothing to sign in with).
 *
 * Trust boundary: `target` comes from the renderer. It must be absolute, and an
 * existing file (or link) there is never replaced: the finished export is linked into
 * place, which fails atomically if the name was taken meanwhile.
 */
import fs from 'node:fs/promises';
import type { ResourceExportResult } from '../../../../shared/common/contract/bridge.ts';
import {
  checkExportTarget,
  placeWithoutOverwrite,
  stagedExportPath,
} from '../../platform/create-once-file.ts';
import { activationConnection } from '../machine/activation.ts';
import type { Activation } from '../machine/activation.store.ts';
import { openVaultItem, type MachineKeyCredential } from '../vault/vault-opener.ts';
import { flushExportQueue, queueExport } from './export-queue.ts';
import { exportToFile } from './plaintext-export.ts';

/** Reports one export to the server through a session the caller holds; throws when it cannot. */
export type ReportExport = (
  resourceId: string,
  event: { machineId: string; exportedAt: string },
) => Promise<void>;

/**
 * `password` (secret: opens the machine key, also signs in to report the export) or
 * `key` (an already opened machine key, owned and zeroed by the caller).
 */
export type VaultExportInput = MachineKeyCredential & {
  home: string;
  resourceId: string;
  target: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Refuse any changed hardware component when the password opens the key. */
  strict?: boolean;
  /**
   * How to report the export through a session the caller holds (the console UI's);
   * absent: with a password, a sign-in of its own; without one, queued. Failing: queued.
   */
  report?: ReportExport;
};

/** Tells the server about the export now; if it cannot be reached, queues the event (never lost). */
async function auditExport(
  home: string,
  activation: Activation,
  resourceId: string,
  password: string | undefined,
  report: ReportExport | undefined,
): Promise<'reported' | 'queued'> {
  const exportedAt = new Date().toISOString();
  // Whatever cannot be reported now is queued, never lost: the next online unlock sends it.
  const queue = async (): Promise<'queued'> => {
    await queueExport(home, {
      resource_id: resourceId,
      machine_id: activation.machine_id,
      exported_at: exportedAt,
    });
    return 'queued';
  };
  if (report)
    return report(resourceId, { machineId: activation.machine_id, exportedAt }).then(
      () => 'reported' as const,
      queue,
    );
  if (password === undefined) return queue();
  let connection;
  try {
    connection = activationConnection(activation, undefined, { timeoutMs: 5_000 });
    await connection.client.login(activation.email, password);
    await flushExportQueue(home, connection.client).catch(() => 0);
    await connection.client.reportExport(resourceId, {
      machineId: activation.machine_id,
      exportedAt,
      offline: false,
    });
    return 'reported';
  } catch {
    return await queue();
  } finally {
    connection?.close();
  }
}

/** Exports one vault item to a new file at `target`; see the module comment for the guarantees. */
export async function exportVaultItem(input: VaultExportInput): Promise<ResourceExportResult> {
  const target = await checkExportTarget(input.target);
  const common = {
    home: input.home,
    idOrName: input.resourceId,
    ...(input.env ? { env: input.env } : {}),
    ...(input.strict ? { strict: true } : {}),
  };
  const item = await openVaultItem(
    input.key !== undefined ? { ...common, key: input.key } : { ...common, password: input.password },
  );
  const staged = stagedExportPath(target);
  try {
    await exportToFile({
      containerPath: item.containerPath,
      dek: item.dek,
      manifest: item.manifest,
      outPath: staged,
    });
    await placeWithoutOverwrite(staged, target);
  } finally {
    item.dek.fill(0);
    await fs.rm(staged, { force: true });
  }
  const audit = await auditExport(
    input.home,
    item.activation,
    item.manifest.resource_id,
    input.password,
    input.report,
  );
  return { path: target, bytes: item.manifest.plaintext_size, audit };
}
