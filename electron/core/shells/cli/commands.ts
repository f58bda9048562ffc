/**
 * The `factory-console` subcommands, each loaded only when it runs: `status` should
 * not pay for the HTTP client, the crypto pool or the fingerprint collector it does
 * not use. Only `--help` or an unknown command loads them all, for their summaries.
 */
import type { CliCommand } from './command.ts';

export interface LazyCliCommand extends CliCommand {
  /** The command's own module, loaded on demand. */
  load(): Promise<CliCommand>;
}

function lazy(name: string, load: () => Promise<CliCommand>): LazyCliCommand {
  return { name, summary: '', load, run: async (args) => (await load()).run(args) };
}

/** Every command loaded, for the usage listing (`--help`, an unknown command): summaries come from the modules. */
export async function loadAllCommands(): Promise<CliCommand[]> {
  return Promise.all(consoleCommands.map((command) => command.load()));
}

/** True when `argv` selects one of `commands` by its words (then only that one needs loading). */
export function selectsCommand(commands: readonly CliCommand[], argv: readonly string[]): boolean {
  return commands.some((command) => command.name.split(' ').every((word, index) => argv[index] === word));
}

export const consoleCommands: readonly LazyCliCommand[] = [
  lazy('fingerprint', async () => (await import('./fingerprint.command.ts')).fingerprintCommand),
  lazy('audit verify', async () => (await import('./audit-verify.command.ts')).auditVerifyCommand),
  lazy('activate', async () => (await import('./activate.command.ts')).activateCommand),
  lazy('resources', async () => (await import('./resources.command.ts')).resourcesCommand),
  lazy('unlock', async () => (await import('./unlock.command.ts')).unlockCommand),
  lazy('cat', async () => (await import('./cat.command.ts')).catCommand),
  lazy('status', async () => (await import('./status.command.ts')).statusCommand),
  lazy('login', async () => (await import('./login.command.ts')).loginCommand),
  lazy('logout', async () => (await import('./logout.command.ts')).logoutCommand),
  lazy('deactivate', async () => (await import('./deactivate.command.ts')).deactivateCommand),
];
