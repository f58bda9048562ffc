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
import {
  checkExportTarget,
  placeWithoutOverwrite,
  stagedExportPath,
} from '../../platform/create-once-file.ts';

export interface ExclusiveUnlockInput extends UnlockInput {
  /** How long to wait for another unlock of the same item to finish (default: item-lock.ts). */
  lockWaitMs?: number;
  /** Other names of the item the caller can tell (the console: its name in the server's list). */
  alsoKnownAs?: () => Promise<readonly string[]>;
}

/**
 * The keys of the item's lock: what the caller gave, the names it knows, and the stored
 * item's id and name when the vault has it — so `unlock NAME` and an unlock by id of the
 * same resource hold one lock whenever either side can tell the other's key. The one
 * case neither can (`unlock ID` and `unlock NAME` at once, on a home that never stored
 * the item) is caught at the commit: a staged container of the wrong size is refused
 * (vault.store.ts `commitItem`), so both may fail but no broken item is stored.
 */
async function lockKeys(
  home: string,
  idOrName: string,
  alsoKnownAs: readonly string[],
): Promise<{ keys: string[]; label: string }> {
  const record = await findRecord(home, idOrName).catch(() => undefined);
  if (!record) return { keys: [idOrName, ...alsoKnownAs], label: alsoKnownAs[0] ?? idOrName };
  const { resource_id, name } = record.manifest.manifest;
  return { keys: [idOrName, ...alsoKnownAs, resource_id, name], label: name };
}

/** Unlocks a resource into the vault (and optionally exports it to a new file); see the module comment. */
export async function unlockResourceExclusive(input: ExclusiveUnlockInput): Promise<UnlockResult> {
  const { lockWaitMs, alsoKnownAs, ...unlock } = input;
  const target =
    input.outPath === undefined ? undefined : await checkExportTarget(path.resolve(input.outPath));
  const staged = target === undefined ? undefined : stagedExportPath(target);
  const { keys, label } = await lockKeys(input.home, input.idOrName, (await alsoKnownAs?.()) ?? []);
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
