/**
 * The offline vault's files (docs/ARCHITECTURE.md §The offline vault) under `<console home>/vault/`:
 *   items/<resource id>/container.fcr   the joined container as downloaded (ciphertext)
 *   items/<resource id>/envelope.bin    the envelope as delivered (DEK ‖ small part, sealed to this machine)
 *   items/<resource id>/record.json     signed manifest, signed lease, name, version
 *   staging/<resource id>/              a download in progress (resumable), never read as an item
 *   clock.json                          the latest time the console saw, sealed (machine/offline-clock.ts)
 *   export-queue.jsonl                  exports made offline, reported at the next sign-in
 *   locks/                              one lock per item being written (item-lock.ts)
 * An item appears whole or not at all: it is built in staging and renamed into place,
 * by one writer at a time (item-lock.ts; its lock folders are in `locks/`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  resourceIdSchema,
  signedLeaseSchema,
  signedManifestSchema,
  type SignedLease,
  type SignedManifest,
} from '../../../../shared/common/api/resources.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { writeFileAtomic } from '../../../../shared/node/atomic-file.ts';
import { readJsonFile } from '../../../../shared/node/json-file.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { itemsDir, vaultDir } from './vault-layout.ts';

export { vaultDir };

const recordSchema = z.strictObject({
  format: z.literal('factory-console/vault-item/v1'),
  manifest: signedManifestSchema,
  lease: signedLeaseSchema,
  stored_at: z.string(),
});
export type VaultRecord = z.infer<typeof recordSchema>;

export const CONTAINER_FILE = 'container.fcr';
export const ENVELOPE_FILE = 'envelope.bin';
export const RECORD_FILE = 'record.json';

export function itemDir(home: string, resourceId: string): string {
  return path.join(itemsDir(home), resourceIdSchema.parse(resourceId));
}
export function stagingDir(home: string, resourceId: string): string {
  return path.join(vaultDir(home), 'staging', resourceIdSchema.parse(resourceId));
}

/** The record of a stored item, or undefined when the vault does not hold it. */
export async function readRecord(home: string, resourceId: string): Promise<VaultRecord | undefined> {
  const read = await readJsonFile(path.join(itemDir(home, resourceId), RECORD_FILE), recordSchema);
  if (read.state === 'missing') return undefined;
  if (read.state !== 'ok')
    throw new ConsoleError(
      ErrorCode.IntegrityFailed,
      `The vault item ${resourceId} is damaged: unlock it again online.`,
    );
  return read.value;
}

/** Every stored item's record. */
export async function listRecords(home: string): Promise<VaultRecord[]> {
  let names: string[];
  try {
    names = await fs.readdir(itemsDir(home));
  } catch {
    return [];
  }
  const records: VaultRecord[] = [];
  for (const name of names.filter((entry) => resourceIdSchema.safeParse(entry).success).sort()) {
    const record = await readRecord(home, name).catch(() => undefined);
    if (record) records.push(record);
  }
  return records;
}

/** Finds a stored item by id, or by name (the latest published version). */
export async function findRecord(home: string, idOrName: string): Promise<VaultRecord | undefined> {
  if (resourceIdSchema.safeParse(idOrName).success) return readRecord(home, idOrName);
  const matches = (await listRecords(home)).filter((record) => record.manifest.manifest.name === idOrName);
  matches.sort((a, b) => (a.manifest.manifest.published_at < b.manifest.manifest.published_at ? 1 : -1));
  return matches[0];
}

/**
 * Moves a verified staging folder into place with its envelope and record; a previous
 * item of the same resource is replaced only at the last step.
 */
export async function commitItem(
  home: string,
  resourceId: string,
  input: { envelope: Uint8Array; manifest: SignedManifest; lease: SignedLease },
): Promise<void> {
  const staging = stagingDir(home, resourceId);
  // Last line of defence behind the item lock (item-lock.ts): a container that is not
  // exactly the signed size (another writer appended to it) never becomes an item.
  const staged = await fs.stat(path.join(staging, CONTAINER_FILE)).catch(() => undefined);
  if (staged?.size !== input.manifest.manifest.container_size) {
    await fs.rm(staging, { recursive: true, force: true });
    throw new ConsoleError(
      ErrorCode.IntegrityFailed,
      `The download of ${input.manifest.manifest.name} was changed on disk while it was being stored: unlock it again.`,
    );
  }
  await writeFileAtomic(path.join(staging, ENVELOPE_FILE), input.envelope);
  const record: VaultRecord = {
    format: 'factory-console/vault-item/v1',
    manifest: input.manifest,
    lease: input.lease,
    stored_at: new Date().toISOString(),
  };
  await writeFileAtomic(path.join(staging, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
  const target = itemDir(home, resourceId);
  await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const old = `${target}.old`;
  await fs.rm(old, { recursive: true, force: true });
  await fs.rename(target, old).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await fs.rename(staging, target);
  await fs.rm(old, { recursive: true, force: true });
}

/** Replaces the lease of a stored item (a fresh one from an online unlock or renewal). */
export async function updateLease(home: string, resourceId: string, lease: SignedLease): Promise<void> {
  const record = await readRecord(home, resourceId);
  if (!record) return;
  await writeFileAtomic(
    path.join(itemDir(home, resourceId), RECORD_FILE),
    `${JSON.stringify({ ...record, lease }, null, 2)}\n`,
  );
}

export async function removeVault(home: string): Promise<void> {
  await fs.rm(vaultDir(home), { recursive: true, force: true });
}
