/** `factory-console` subcommands use the shared CLI types (shared/node/cli/dispatch.ts). */
export { CliError, type CliCommand } from '../../../../shared/node/cli/dispatch.ts';
