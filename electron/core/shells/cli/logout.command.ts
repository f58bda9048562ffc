/**
 * `factory-console logout`: the CLI keeps no token or password on disk — each command
 * signs in for its own run and the token dies with the process — so there is no
 * session to end here. It says so, and points to `deactivate` to revoke the machine.
 */
import { readActivation } from '../../domains/machine/activation.store.ts';
import { resolveConsoleHome } from '../../platform/console-home.ts';
import type { CliCommand } from './command.ts';
import { processEnvironment } from '../../platform/environment.ts';

export const logoutCommand: CliCommand = {
  name: 'logout',
  summary: 'Sign out (the CLI stores no token or password; see deactivate to revoke this machine)',
  async run() {
    const home = resolveConsoleHome({ env: processEnvironment() });
    const activation = await readActivation(home);
    process.stdout.write(
      'Signed out: this console keeps no access token, refresh token or password on disk; ' +
        'each command signs in for its own run only.\n' +
        (activation
          ? `This machine stays activated (${activation.machine_id}); run "factory-console deactivate" to revoke it.\n`
          : ''),
    );
    return 0;
  },
};
