/**
 * `factory-console`: the console's core on the command line (DESIGN.md §5). Each
 * subcommand lives in its own `*.command.ts`; this file only dispatches.
 */
import { CliError, type CliCommand } from './command.ts';
import { auditVerifyCommand } from './audit-verify.command.ts';
import { fingerprintCommand } from './fingerprint.command.ts';
import { activateCommand } from './activate.command.ts';
import { resourcesCommand } from './resources.command.ts';
import { unlockCommand } from './unlock.command.ts';
import { catCommand } from './cat.command.ts';
import { statusCommand } from './status.command.ts';
import { logoutCommand } from './logout.command.ts';
import { deactivateCommand } from './deactivate.command.ts';

const commands: CliCommand[] = [
  fingerprintCommand,
  auditVerifyCommand,
  activateCommand,
  resourcesCommand,
  unlockCommand,
  catCommand,
  statusCommand,
  logoutCommand,
  deactivateCommand,
];

function usage(): string {
  const width = Math.max(...commands.map((command) => command.name.length), 8);
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return ['Usage: factory-console <command> [options]', '', 'Commands:', ...lines, ''].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(usage());
    return argv.length === 0 ? 2 : 0;
  }
  // Longest name first, so `audit verify` wins over a hypothetical `audit`.
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  const command = sorted.find((candidate) => {
    const words = candidate.name.split(' ');
    return words.every((word, index) => argv[index] === word);
  });
  if (!command) {
    process.stderr.write(`Unknown command: ${argv.join(' ')}\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(argv.slice(command.name.split(' ').length));
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    // node:util parseArgs rejects unknown or malformed options with a clear message.
    if (
      error instanceof TypeError &&
      String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
