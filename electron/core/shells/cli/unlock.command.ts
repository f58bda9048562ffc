/**
 * `factory-console unlock ID|NAME [--out PATH]`: downloads, verifies and stores a
 * resource in the vault; with `--out`, also exports the plaintext (audited) to a new
 * file: an existing one is refused before the unlock starts and never replaced.
 * A second unlock of the same resource while one runs is refused. Progress goes to stderr.
 */
import { parseArgs } from 'node:util';
import { resolveConsoleHome } from '../../platform/console-home.ts';
import { closeContainerOpenPool, containerOpenPool } from '../../domains/resources/open-pool.ts';
import { unlockResourceExclusive } from '../../domains/resources/exclusive-unlock.ts';
import { KnownServersStore } from '../../factory-api/trust-store.ts';
import type { UnlockProgress } from '../../domains/resources/progress.ts';
import { CliError, type CliCommand } from './command.ts';
import { withCliErrors } from './console-errors.ts';
import { readPassword } from './password-prompt.ts';
import { processEnvironment } from '../../platform/environment.ts';

function formatProgress(progress: UnlockProgress): string {
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  const eta = progress.etaSeconds === null ? '' : `, ETA ${Math.ceil(progress.etaSeconds)} s`;
  return `${progress.phase}: ${mb(progress.bytes)} / ${mb(progress.total)} MiB at ${mb(progress.rate)} MiB/s${eta}`;
}

export const unlockCommand: CliCommand = {
  name: 'unlock',
  summary: 'Unlock a resource into the vault: ID|NAME [--out PATH] (export the plaintext)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { out: { type: 'string' }, quiet: { type: 'boolean' } },
    });
    const target = positionals[0];
    if (positionals.length !== 1 || target === undefined)
      throw new CliError('usage: unlock ID|NAME [--out PATH]', 2);
    const env = processEnvironment();
    const home = resolveConsoleHome({ env });
    const password = await readPassword(env);
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    const tty = process.stderr.isTTY === true && values.quiet !== true;
    // `--out` opens the file after the download: this thread then has nothing else to do, so it opens chunks too.
    if (values.out !== undefined) containerOpenPool({ callerLane: true });
    try {
      const result = await withCliErrors(() =>
        unlockResourceExclusive({
          home,
          idOrName: target,
          password,
          env,
          trust: new KnownServersStore(home),
          signal: controller.signal,
          ...(values.out !== undefined ? { outPath: values.out } : {}),
          ...(tty
            ? {
                onProgress: (progress: UnlockProgress) =>
                  process.stderr.write(`\r${formatProgress(progress)}   `),
              }
            : {}),
        }),
      );
      if (tty) process.stderr.write('\n');
      process.stdout.write(
        `Unlocked ${result.name} version ${result.version} (${result.resourceId}, ${result.plaintextSize} bytes) into the vault; ` +
          `lease valid until ${result.leaseValidUntil}\n` +
          (result.outPath ? `Exported to ${result.outPath}\n` : ''),
      );
      return 0;
    } finally {
      process.removeListener('SIGINT', onSignal);
      // The decrypting workers would keep a one-shot CLI process alive.
      await closeContainerOpenPool();
    }
  },
};
