/** One `factory-api` subcommand. Commands print to stdout/stderr and return an exit code. */
export interface ServerCliCommand {
  /** The words that select it, e.g. `serve` or `audit verify`. */
  name: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

/** A failure the operator can act on: printed as one line, no stack trace. */
export class ServerCliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'ServerCliError';
    this.exitCode = exitCode;
  }
}
