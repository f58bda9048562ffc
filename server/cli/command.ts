/** `factory-api` subcommands use the shared CLI types (shared/node/cli/dispatch.ts). */
export {
  CliError as ServerCliError,
  type CliCommand as ServerCliCommand,
} from '../../shared/node/cli/dispatch.ts';
