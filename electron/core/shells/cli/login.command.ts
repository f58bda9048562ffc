/**
 * `factory-console login`: checks that an account signs in and says who it is, with its
 * role. The CLI keeps no token on disk (see `logout`), so the session is ended again when
 * the command ends.
 *
 * - `login [--server URL --email E] [--code CODE]`: the password (`FACTORY_PASSWORD` or the
 *   prompt), then the second factor when the server asks for one (docs/IDENTITY.md §The
 *   console): `--code`, or a prompt on a terminal. Without `--server`, the activation's
 *   server and account.
 * - `login --sso [--server URL]`: single sign-on from the terminal (docs/IDENTITY.md §The
 *   console's loopback hop): prints the provider's URL and waits on a loopback port for the
 *   browser to come back.
 */
import { activationConnection } from '../../domains/machine/activation.ts';
import { readActivation } from '../../domains/machine/activation.store.ts';
import { startSsoSignIn } from '../../domains/session/sso-sign-in.ts';
import { connectTrusted } from '../../factory-api/server-connection.ts';
import { KnownServersStore } from '../../factory-api/trust-store.ts';
import { resolveConsoleHome } from '../../platform/console-home.ts';
import { processEnvironment } from '../../platform/environment.ts';
import { CliError, type CliCommand } from './command.ts';
import { withCliErrors } from './console-errors.ts';
import { readPassword } from './password-prompt.ts';
import { secondFactorCode, takeCodeOption } from './second-factor-code.ts';

const USAGE = 'usage: login [--server URL --email E] [--code CODE] | login --sso [--server URL]';

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--'))
    throw new CliError(`${name} needs a value (${USAGE})`, 2);
  args.splice(index, 2);
  return value;
}

async function ssoLogin(server: string | undefined): Promise<number> {
  const home = resolveConsoleHome({ env: processEnvironment() });
  const serverUrl = server ?? (await readActivation(home))?.server_url;
  if (serverUrl === undefined) {
    throw new CliError(`login: no server: give --server URL or activate this machine (${USAGE})`, 2);
  }
  const connection = await withCliErrors(async () => connectTrusted(serverUrl, new KnownServersStore(home)));
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
}

async function passwordLogin(
  server: string | undefined,
  email: string | undefined,
  code: string | undefined,
): Promise<number> {
  if ((server === undefined) !== (email === undefined))
    throw new CliError(
      `login: give --server and --email together (or neither: the activation) (${USAGE})`,
      2,
    );
  const env = processEnvironment();
  const home = resolveConsoleHome({ env });
  const trust = new KnownServersStore(home);
  const target =
    server !== undefined && email !== undefined
      ? { email, connection: await withCliErrors(async () => connectTrusted(server, trust)) }
      : await (async () => {
          const activation = await readActivation(home);
          if (!activation)
            throw new CliError(
              `login: no account: give --server URL --email E, or activate this machine (${USAGE})`,
              2,
            );
          return {
            email: activation.email,
            connection: await withCliErrors(async () => activationConnection(activation, trust)),
          };
        })();
  try {
    const password = await readPassword(env, `Password for ${target.email}`);
    const signedIn = await withCliErrors(() =>
      target.connection.client.login(target.email, password, { code: secondFactorCode(code) }),
    );
    process.stdout.write(
      `Signed in as ${signedIn.user.email} (${signedIn.user.role}) at ${target.connection.client.baseUrl}. ` +
        'The CLI keeps no token: each command signs in for its own run.\n',
    );
    await target.connection.client.logout();
    return 0;
  } finally {
    target.connection.close();
  }
}

export const loginCommand: CliCommand = {
  name: 'login',
  summary:
    'Check a sign-in: password then second factor [--server URL --email E] [--code CODE], or --sso [--server URL]',
  async run(args) {
    const { code, rest } = takeCodeOption(args);
    const sso = rest.includes('--sso');
    const others = rest.filter((arg) => arg !== '--sso');
    const server = option(others, '--server');
    const email = option(others, '--email');
    if (others.length > 0) throw new CliError(`login: unknown option ${others[0]} (${USAGE})`, 2);
    if (sso) {
      if (email !== undefined || code !== undefined)
        throw new CliError(`login: --sso takes no --email or --code (${USAGE})`, 2);
      return ssoLogin(server);
    }
    return passwordLogin(server, email, code);
  },
};
