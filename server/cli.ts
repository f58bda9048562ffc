/**
 * `factory-api`: the server's command line. Each subcommand lives in its own
 * `cli/*.command.ts`; this file only dispatches (add one import and one entry).
 */
import { runCli } from '../shared/node/cli/dispatch.ts';
import { auditVerifyCommand } from './cli/audit-verify.command.ts';
import type { ServerCliCommand } from './cli/command.ts';
import { doctorCommand } from './cli/doctor.command.ts';
import { serveCommand } from './cli/serve.command.ts';
import { resourcesPublishCommand } from './cli/resources-publish.command.ts';

const commands: ServerCliCommand[] = [
  serveCommand,
  doctorCommand,
  auditVerifyCommand,
  resourcesPublishCommand,
];

process.exitCode = await runCli('factory-api', commands, process.argv.slice(2));
