/**
 * `factory-console login --sso [--server URL]`: single sign-on from the terminal
 * (docs/IDENTITY.md §The console's loopback hop). Prints the provider's URL, waits on a
 * loopback port for the browser to come back, and says who signed in. The CLI keeps no
 * token on disk (see `logout`), so the session is ended again when the command ends:
 * this proves the account can sign in and which role it gets.
 */
import { readActivation } from '../../domains/machine/activation.store.ts';
import { startSsoSignIn } from '../../domains/session/sso-sign-in.ts';
import { connectTrusted } from '../../factory-api/server-connection.ts';
import { KnownServersStore } from '../../factory-api/trust-store.ts';
import { resolveConsoleHome } from '../../platform/console-home.ts';
import { processEnvironment } from '../../platform/environment.ts';
import { CliError, type CliCommand } from './command.ts';
import { withCliErrors } from './console-errors.ts';

const USAGE = 'usage: login --sso [--server URL]';

export const loginCommand: CliCommand = {
  name: 'login',
  summary: 'Sign in with single sign-on: prints the provider URL, waits on loopback (--sso [--server URL])',
  async run(args) {
    let server: string | undefined;
    let sso = false;
    for (let index = 0; index < args.length; index += 1) {
      const arg = args[index];
      if (arg === '--sso') sso = true;
      else if (arg === '--server' && args[index + 1] !== undefined) server = args[++index];
      else throw new CliError(`login: unknown option ${String(arg)} (${USAGE})`, 2);
    }
    if (!sso) {
      throw new CliError(
        `login: only --sso signs in here; password commands ask for the password themselves (${USAGE})`,
        2,
      );
    }
    const home = resolveConsoleHome({ env: processEnvironment() });
    const serverUrl = server ?? (await readActivation(home))?.server_url;
    if (serverUrl === undefined) {
      throw new CliError(`login: no server: give --server URL or activate this machine (${USAGE})`, 2);
    }
    const connection = await withCliErrors(async () =>
      connectTrusted(serverUrl, new KnownServersStore(home)),
    );
    try {
      const pending = await withCliErrors(() =>
        startSsoSignIn({
          client: connection.client,
          open: (url) => {
            process.stdout.write(
              `Open this URL in a browser to sign in (waiting for it on this machine):\n\n  ${url}\n\n`,
            );
          },
        }),
      );
      const user = await withCliErrors(() => pending.result);
      process.stdout.write(`Signed in with single sign-on as ${user.email} (${user.role}) on ${serverUrl}\n`);
      await connection.client.logout();
      process.stdout.write('Signed out again: the CLI keeps no token on disk.\n');
      return 0;
    } finally {
      connection.close();
    }
  },
};
