/** `factory-console status [--json]`: activation, lease, vault and queued exports (no password, no network). */
import { resolveConsoleHome } from '../../platform/console-home.ts';
import { readActivation } from '../../domains/machine/activation.store.ts';
import { queuedExports } from '../../domains/resources/export-queue.ts';
import { lastSeen } from '../../domains/machine/offline-clock.ts';
import { hasVaultEntries } from '../../domains/vault/vault-layout.ts';
import { CliError, type CliCommand } from './command.ts';
import { processEnvironment } from '../../platform/environment.ts';

export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'Show activation, lease and vault state [--json]',
  async run(args) {
    const unknown = args.filter((arg) => arg !== '--json');
    if (unknown.length > 0)
      throw new CliError(`status: unknown option ${unknown[0]} (usage: status [--json])`, 2);
    const home = resolveConsoleHome({ env: processEnvironment() });
    const activation = await readActivation(home);
    // The vault's store (and its schemas) loads only when there are items to list.
    const records = (await hasVaultEntries(home))
      ? await (await import('../../domains/vault/vault.store.ts')).listRecords(home)
      : [];
    const seen = await lastSeen(home);
    const now = Date.now();
    const status = {
      home,
      activated: activation !== undefined,
      server_url: activation?.server_url ?? null,
      certificate_fingerprint256: activation?.certificate?.fingerprint256 ?? null,
      email: activation?.email ?? null,
      machine_id: activation?.machine_id ?? null,
      label: activation?.label ?? null,
      vault: records.map((record) => ({
        id: record.manifest.manifest.resource_id,
        name: record.manifest.manifest.name,
        version: record.manifest.manifest.version,
        size: record.manifest.manifest.plaintext_size,
        lease_valid_until: record.lease.lease.valid_until,
        lease_expired: Date.parse(record.lease.lease.valid_until) <= now,
      })),
      queued_exports: (await queuedExports(home)).length,
      clock_set_back: seen > now + 5 * 60 * 1000,
    };
    if (args.includes('--json')) {
      process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `Console home: ${home}`,
      activation
        ? `Activated: machine ${activation.machine_id} (${activation.label}) for ${activation.email} on ${activation.server_url}`
        : 'Not activated (factory-console activate --server URL --email E)',
      ...(activation?.certificate ? [`Pinned certificate: ${activation.certificate.fingerprint256}`] : []),
      `Vault: ${records.length} item(s)`,
      ...status.vault.map(
        (item) =>
          `  ${item.id}  ${item.name} v${item.version}  ${item.size} bytes  lease ${item.lease_expired ? 'EXPIRED' : 'until'} ${item.lease_valid_until}`,
      ),
      ...(status.queued_exports > 0 ? [`Exports waiting to be reported: ${status.queued_exports}`] : []),
      ...(status.clock_set_back
        ? ['Warning: the system clock is behind the last time this console saw']
        : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
