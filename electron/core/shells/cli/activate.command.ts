/**
 * `factory-console activate --server URL --email E [--label L] [--fingerprint SHA256]`:
 * pins the server's certificate (given, or shown and confirmed), signs in, makes and
 * seals this machine's key and registers it (docs/CLI.md).
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { KnownServersStore } from '../../factory-api/trust-store.ts';
import { activateMachine } from '../../domains/machine/activation.ts';
import { resolveConsoleHome } from '../../platform/console-home.ts';
import { CliError, type CliCommand } from './command.ts';
import { withCliErrors } from './console-errors.ts';
import { confirm, readPassword } from './password-prompt.ts';
import { processEnvironment } from '../../platform/environment.ts';

export const activateCommand: CliCommand = {
  name: 'activate',
  summary: 'Activate this machine: --server URL --email E [--label L] [--fingerprint SHA256]',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        server: { type: 'string' },
        email: { type: 'string' },
        label: { type: 'string' },
        fingerprint: { type: 'string' },
      },
    });
    if (!values.server || !values.email)
      throw new CliError('usage: activate --server URL --email E [--label L] [--fingerprint SHA256]', 2);
    const env = processEnvironment();
    const home = resolveConsoleHome({ env });
    const password = await readPassword(env);
    const activation = await withCliErrors(() =>
      activateMachine({
        home,
        serverUrl: values.server!,
        email: values.email!,
        password,
        label: values.label ?? hostname(),
        ...(values.fingerprint !== undefined ? { fingerprint: values.fingerprint } : {}),
        confirm: (fingerprint) =>
          confirm(
            `The server presents certificate SHA-256 ${fingerprint}.\nIs this the fingerprint your administrator gave you?`,
          ),
        env,
        trust: new KnownServersStore(home),
      }),
    );
    process.stdout.write(
      `Activated machine ${activation.machine_id} (${activation.label}) on ${activation.server_url}\n` +
        (activation.certificate
          ? `Pinned certificate ${activation.certificate.fingerprint256}\n`
          : 'Warning: plain HTTP, no certificate pinned\n') +
        `Lease valid until ${activation.lease.lease.valid_until}\n`,
    );
    return 0;
  },
};
