/**
 * The command-line dispatcher shared by `factory-api` (server/cli.ts) and
 * `factory-console` (electron/core/shells/cli/index.ts): each subcommand lives in its own
 * file; this picks one by its words, prints usage, and turns expected failures into
 * one line and an exit code (no stack traces for operators).
 */

/** One subcommand. Commands print to stdout/stderr and return an exit code. */
export interface CliCommand {
  /** The words that select it, e.g. `fingerprint` or `audit verify`. */
  name: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

/** A failure the operator can act on: printed as one line, no stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

function usage(program: string, commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((command) => command.name.length), 8);
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [`Usage: ${program} <command> [options]`, '', 'Commands:', ...lines, ''].join('\n');
}

/** Runs the command `argv` names; resolves to the process exit code (2 = usage). */
export async function runCli(
  program: string,
  commands: readonly CliCommand[],
  argv: string[],
): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(usage(program, commands));
    return argv.length === 0 ? 2 : 0;
  }
  // Most words first, so `audit verify` wins over a hypothetical `audit`.
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  const command = sorted.find((candidate) =>
    candidate.name.split(' ').every((word, index) => argv[index] === word),
  );
  if (!command) {
    process.stderr.write(`Unknown command: ${argv.join(' ')}\n\n${usage(program, commands)}`);
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
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
