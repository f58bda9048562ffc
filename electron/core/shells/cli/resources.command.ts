/**
 * `factory-console resources [--json]`: the server's resources (when a password is at
 * hand and the server answers) merged with the vault's: locked / unlocked / offline.
 */
import { activationConnection } from '../../domains/machine/activation.ts';
import { KnownServersStore } from '../../factory-api/trust-store.ts';
import { requireActivation } from '../../domains/machine/activation.store.ts';
import { resolveConsoleHome } from '../../platform/console-home.ts';
import type { ResourceSummary as ServerResource } from '../../../../shared/common/api/resources.ts';
import { mergeResourceRows } from '../../domains/resources/resource-rows.ts';
import { listRecords } from '../../domains/vault/vault.store.ts';
import { CliError, type CliCommand } from './command.ts';
import { withCliErrors } from './console-errors.ts';
import { PASSWORD_ENV, readPassword } from './password-prompt.ts';
import { processEnvironment } from '../../platform/environment.ts';

export const resourcesCommand: CliCommand = {
  name: 'resources',
  summary: 'List resources on the server and in the vault [--json] [--offline]',
  async run(args) {
    const unknown = args.filter((arg) => arg !== '--json' && arg !== '--offline');
    if (unknown.length > 0) throw new CliError(`resources: unknown option ${unknown[0]}`, 2);
    const env = processEnvironment();
    const home = resolveConsoleHome({ env });
    const activation = await withCliErrors(() => requireActivation(home));
    const records = await listRecords(home);
    let server: ServerResource[] = [];
    let note = '';
    const online =
      !args.includes('--offline') && (env[PASSWORD_ENV] !== undefined || process.stdin.isTTY === true);
    if (online) {
      const password = await readPassword(env);
      const connection = activationConnection(activation, new KnownServersStore(home));
      try {
        await withCliErrors(() => connection.client.login(activation.email, password));
        server = await withCliErrors(() => connection.client.listResources());
      } catch (error) {
        note = `server not reached: ${(error as Error).message}`;
      } finally {
        connection.close();
      }
    } else {
      note = `offline listing (set ${PASSWORD_ENV} or use a terminal to include the server)`;
    }
    const list = mergeResourceRows(server, records);
    if (args.includes('--json')) {
      process.stdout.write(`${JSON.stringify({ resources: list, note: note || null }, null, 2)}\n`);
      return 0;
    }
    const lines = list.map(
      (row) => `${row.id}  ${row.state.padEnd(8)}  ${row.name} v${row.version}  ${row.size} bytes`,
    );
    process.stdout.write(`${[...lines, ...(note ? [`(${note})`] : [])].join('\n')}\n`);
    return 0;
  },
};
