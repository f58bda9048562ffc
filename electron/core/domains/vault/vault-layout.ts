/**
 * Where the offline vault lives in the console home (vault.store.ts describes its files),
 * without the schemas that check them: `status` asks whether there is anything to read
 * before it loads them (docs/CLI.md §Start-up: a command that starts at once).
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export function vaultDir(home: string): string {
  return path.join(home, 'vault');
}

/** The folder of stored items, one sub-folder per resource id. */
export function itemsDir(home: string): string {
  return path.join(vaultDir(home), 'items');
}

/** True when the vault's items folder has any entry (a stored item, or something to skip). */
export async function hasVaultEntries(home: string): Promise<boolean> {
  try {
    return (await fs.readdir(itemsDir(home))).length > 0;
  } catch {
    return false;
  }
}
