/**
 * `factory-console cat ID|NAME`: the plaintext of a vault item to stdout, offline
 * (password + this machine + an unexpired lease + a clock not set back). Each use is
 * queued as an export event and reported to the server at the next online unlock.
 */
import { pipeline } from 'node:stream/promises';
import { resolveConsoleHome } from '../../platform/console-home.ts';
import { closeContainerOpenPool } from '../../domains/resources/open-pool.ts';
import { queueExport } from '../../domains/resources/export-queue.ts';
import { decryptContainer } from '../../domains/resources/plaintext-export.ts';
import { openVaultItem } from '../../domains/vault/vault-opener.ts';
import { CliError, type CliCommand } from './command.ts';
import { withCliErrors } from './console-errors.ts';
import { readPassword } from './password-prompt.ts';

export const catCommand: CliCommand = {
  name: 'cat',
  summary: 'Write a vault item to stdout, offline: ID|NAME',
  async run(args) {
    const target = args[0];
    if (args.length !== 1 || target === undefined || target.startsWith('-'))
      throw new CliError('usage: cat ID|NAME', 2);
    const env = process.env;
    const home = resolveConsoleHome({ env });
    const password = await readPassword(env);
    await withCliErrors(async () => {
      const item = await openVaultItem({ home, idOrName: target, password, env });
      // Plaintext leaves the vault: recorded now, reported to the server at the next online unlock.
      await queueExport(home, {
        resource_id: item.manifest.resource_id,
        machine_id: item.activation.machine_id,
        exported_at: new Date().toISOString(),
      });
      try {
        await pipeline(
          decryptContainer({ containerPath: item.containerPath, dek: item.dek, manifest: item.manifest }),
          process.stdout,
          { end: false },
        );
      } finally {
        item.dek.fill(0);
        // The decrypting workers would keep a one-shot CLI process alive.
        await closeContainerOpenPool();
      }
    });
    return 0;
  },
};
