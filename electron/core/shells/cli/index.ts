/**
 * `factory-console`: the console's core on the command line (docs/CLI.md). Each
 * subcommand lives in its own `*.command.ts`; this file only dispatches.
 */
import { runCli } from '../../../../shared/node/cli/dispatch.ts';
import type { CliCommand } from './command.ts';
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

process.exitCode = await runCli('factory-console', commands, process.argv.slice(2));
