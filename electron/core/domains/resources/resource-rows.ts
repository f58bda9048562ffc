/**
 * One resource list for the console's Resources view and the CLI's `resources`: what
 * the server lists (`locked`) merged with the vault's items (`unlocked` when the server
 * lists them too, `offline` when only the vault has them, with their lease's end),
 * sorted by name, then version.
 */
import type { ResourceSummary as ServerResource } from '../../../../shared/common/api/resources.ts';
import type { ResourceSummary } from '../../../../shared/common/contract/bridge.ts';
import type { VaultRecord } from '../vault/vault.store.ts';

export function mergeResourceRows(
  server: readonly ServerResource[],
  records: readonly VaultRecord[],
): ResourceSummary[] {
  const rows = new Map<string, ResourceSummary>();
  for (const resource of server) {
    rows.set(resource.id, {
      id: resource.id,
      name: resource.name,
      version: resource.version,
      size: resource.plaintext_size,
      state: 'locked',
      leaseValidUntil: null,
    });
  }
  for (const record of records) {
    const manifest = record.manifest.manifest;
    rows.set(manifest.resource_id, {
      id: manifest.resource_id,
      name: manifest.name,
      version: manifest.version,
      size: manifest.plaintext_size,
      state: rows.has(manifest.resource_id) ? 'unlocked' : 'offline',
      leaseValidUntil: record.lease.lease.valid_until,
    });
  }
  return [...rows.values()].sort(
    (a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version),
  );
}
