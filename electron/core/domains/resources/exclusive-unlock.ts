/**
 * The unlock pipeline as the CLI and the console run it (docs/ARCHITECTURE.md §The
 * unlock sequence), with the two guarantees around it:
 * - one unlock of an item at a time across processes: `unlockResource` runs under the
 *   item's lock (`withItemLock`), so a second unlock of the same resource waits briefly,
 *   then fails with "an unlock of NAME is in progress" and leaves the vault alone;
 * - `--out` creates a new file, never replaces one: the target is checked before
 *   anything is downloaded, the plaintext is written under a hidden name in the same
 *   folder and linked into place at the end, which fails if the name was taken meanwhile
 *   (the checks of the UI export, `vault-export.ts`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { findRecord } from '../vault/vault.store.ts';
import { withItemLock } from '../vault/item-lock.ts';
import { unlockResource, type UnlockInput, type UnlockResult } from './unlock.pipeline.ts';
import { checkExportTarget, placeWithoutOverwrite, stagedExportPath } from './vault-export.ts';

export interface ExclusiveUnlockInput extends UnlockInput {
  /** How long to wait for another unlock of the same item to finish (default: item-lock.ts). */
  lockWaitMs?: number;
}

/** The keys of the item's lock: what the caller gave, and the stored item's id and name when the vault knows them. */
async function lockKeys(home: string, idOrName: string): Promise<{ keys: string[]; label: string }> {
  const record = await findRecord(home, idOrName).catch(() => undefined);
  if (!record) return { keys: [idOrName], label: idOrName };
  const { resource_id, name } = record.manifest.manifest;
  return { keys: [idOrName, resource_id, name], label: name };
}

/** Unlocks a resource into the vault (and optionally exports it to a new file); see the module comment. */
export async function unlockResourceExclusive(input: ExclusiveUnlockInput): Promise<UnlockResult> {
  const { lockWaitMs, ...unlock } = input;
  const target =
    input.outPath === undefined ? undefined : await checkExportTarget(path.resolve(input.outPath));
  const staged = target === undefined ? undefined : stagedExportPath(target);
  const { keys, label } = await lockKeys(input.home, input.idOrName);
  try {
    const result = await withItemLock(
      { home: input.home, keys, label, ...(lockWaitMs !== undefined ? { waitMs: lockWaitMs } : {}) },
      () => unlockResource(staged === undefined ? unlock : { ...unlock, outPath: staged }),
    );
    if (staged === undefined || target === undefined) return result;
    await placeWithoutOverwrite(staged, target);
    return { ...result, outPath: target };
  } finally {
    if (staged !== undefined) await fs.rm(staged, { force: true });
  }
}
