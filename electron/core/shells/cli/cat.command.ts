/**
 * `factory-console cat ID|NAME`: the plaintext of a vault item to stdout, offline
 * (password + this machine + an unexpired lease + a clock not set back). Each use is
 * queued as an export event and reported to the server at the next online unlock.
 *
 * To a pipe or terminal the plaintext streams in order (each chunk released after its
 * MAC verified; SHA-256 and size checked against the signed manifest at the end). To an
 * empty regular file (`> file`) the chunks are verified, decrypted and written by
 * offset on the worker pool and this thread, as an export is: every chunk's MAC under the DEK, the size
 * against the manifest, and on failure the file is emptied again.
 */
import { pipeline } from 'node:stream/promises';
import { resolveConsoleHome } from '../../platform/console-home.ts';
import { closeContainerOpenPool, containerOpenPool } from '../../domains/resources/open-pool.ts';
import { queueExport } from '../../domains/resources/export-queue.ts';
import { decryptContainer, exportToDescriptor } from '../../domains/resources/plaintext-export.ts';
import { openVaultItem } from '../../domains/vault/vault-opener.ts';
import { CliError, type CliCommand } from './command.ts';
import { withCliErrors } from './console-errors.ts';
import { readPassword } from './password-prompt.ts';
import { stdoutIsEmptyFile } from './stdout-file.ts';
import { processEnvironment } from '../../platform/environment.ts';

export const catCommand: CliCommand = {
  name: 'cat',
  summary: 'Write a vault item to stdout, offline: ID|NAME',
  async run(args) {
    const target = args[0];
    if (args.length !== 1 || target === undefined || target.startsWith('-'))
      throw new CliError('usage: cat ID|NAME', 2);
    const env = processEnvironment();
    const home = resolveConsoleHome({ env });
    const password = await readPassword(env);
    // The workers start (loading their modules) while the machine key is opened; this
    // thread has nothing else to do meanwhile, so it opens chunks too (one worker fewer).
    containerOpenPool({ callerLane: true });
    try {
      await withCliErrors(async () => {
        const item = await openVaultItem({ home, idOrName: target, password, env });
        try {
          // Plaintext leaves the vault: recorded now, reported to the server at the next online unlock.
          await queueExport(home, {
            resource_id: item.manifest.resource_id,
            machine_id: item.activation.machine_id,
            exported_at: new Date().toISOString(),
          });
          const source = { containerPath: item.containerPath, dek: item.dek, manifest: item.manifest };
          // `cat NAME > file`: workers write verified chunks by offset straight into the file.
          if (stdoutIsEmptyFile()) await exportToDescriptor({ ...source, fd: 1 });
          else await pipeline(decryptContainer(source), process.stdout, { end: false });
        } finally {
          item.dek.fill(0);
        }
      });
    } finally {
      // The decrypting workers would keep a one-shot CLI process alive.
      await closeContainerOpenPool();
    }
    return 0;
  },
};
