/**
 * `factory-console`: the console's core on the command line (docs/CLI.md). Each
 * subcommand lives in its own `*.command.ts`, loaded when it runs (commands.ts); this
 * file only dispatches.
 */
import { runCli } from '../../../../shared/node/cli/dispatch.ts';
import { consoleCommands, loadAllCommands, selectsCommand } from './commands.ts';

const argv = process.argv.slice(2);
const commands = selectsCommand(consoleCommands, argv) ? consoleCommands : await loadAllCommands();
process.exitCode = await runCli('factory-console', commands, argv);
