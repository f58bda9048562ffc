/**
 * `factory-console deactivate [--local-only]`: revokes this machine on the server
 * (frees its seat), then deletes the machine key, the activation and the vault.
 * `--local-only` skips the server (it is unreachable or the machine was revoked).
 */
import { activationConnection } from '../../domains/machine/activation.ts';
import { KnownServersStore } from '../../factory-api/trust-store.ts';
import { requireActivation } from '../../domains/machine/activation.store.ts';
import { removeLocalActivation } from '../../domains/vault/local-deactivation.ts';
import { resolveConsoleHome } from '../../platform/console-home.ts';
import { CliError, type CliCommand } from './command.ts';
import { withCliErrors } from './console-errors.ts';
import { readPassword } from './password-prompt.ts';
import { processEnvironment } from '../../platform/environment.ts';

export const deactivateCommand: CliCommand = {
  name: 'deactivate',
  summary: 'Revoke this machine on the server and delete its key and vault [--local-only]',
  async run(args) {
    const unknown = args.filter((arg) => arg !== '--local-only');
    if (unknown.length > 0) throw new CliError(`deactivate: unknown option ${unknown[0]}`, 2);
    const env = processEnvironment();
    const home = resolveConsoleHome({ env });
    const activation = await withCliErrors(() => requireActivation(home));
    if (!args.includes('--local-only')) {
      const password = await readPassword(env);
      const connection = activationConnection(activation, new KnownServersStore(home));
      try {
        await withCliErrors(async () => {
          await connection.client.login(activation.email, password);
          await connection.client.deactivateMachine(activation.machine_id);
        });
      } finally {
        connection.close();
      }
    }
    await removeLocalActivation(home);
    process.stdout.write(
      `Deactivated machine ${activation.machine_id}: key, vault and activation removed.\n`,
    );
    return 0;
  },
};
