/**
 * `factory-api`: the server's command line. Each subcommand lives in its own
 * `cli/*.command.ts`; this file only dispatches (add one import and one entry).
 */
import { auditVerifyCommand } from './cli/audit-verify.command.ts';
import { ServerCliError, type ServerCliCommand } from './cli/command.ts';
import { serveCommand } from './cli/serve.command.ts';
import { resourcesPublishCommand } from './cli/resources-publish.command.ts';

const commands: ServerCliCommand[] = [serveCommand, auditVerifyCommand, resourcesPublishCommand];

function usage(): string {
  const width = Math.max(...commands.map((command) => command.name.length), 8);
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return ['Usage: factory-api <command> [options]', '', 'Commands:', ...lines, ''].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(usage());
    return argv.length === 0 ? 2 : 0;
  }
  // Longest name first, so `audit verify` wins over a hypothetical `audit`.
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  const command = sorted.find((candidate) =>
    candidate.name.split(' ').every((word, index) => argv[index] === word),
  );
  if (!command) {
    process.stderr.write(`Unknown command: ${argv.join(' ')}\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(argv.slice(command.name.split(' ').length));
  } catch (error) {
    if (error instanceof ServerCliError) {
      process.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
