/**
 * `factory-console audit verify FILE.jsonl [--checkpoint FILE] [--key KEY] [--remember FILE]`:
 * checks an audit export offline, with the same verifier as `factory-api audit verify`.
 * The console remembers the newest checkpoint it has verified (by default in
 * `audit-checkpoints.json` in the console home, see console-home.ts), so a later export
 * that is shorter than, or forks from, what it saw is reported as tampering.
 *
 * `factory-console audit verify --server URL --email E [--remember FILE]`: online, the same
 * check by one consistency proof from the remembered checkpoint to the server's newest (no
 * export is downloaded); the password comes from `FACTORY_PASSWORD` or the terminal.
 */
import path from 'node:path';
import {
  AUDIT_VERIFY_USAGE,
  AuditVerifyUsageError,
  formatAuditVerifyReport,
  formatOnlineReport,
  parseAuditVerifyArgs,
  runAuditVerify,
  runOnlineAuditVerify,
} from '../../../../shared/node/audit/offline-verify.ts';
import { resolveConsoleHome } from '../../platform/console-home.ts';
import { CliError, type CliCommand } from './command.ts';
import { readPassword } from './password-prompt.ts';
import { processEnvironment, type Environment } from '../../platform/environment.ts';

/** Where the console remembers checkpoints unless `--remember` says otherwise. */
export function defaultRememberFile(env: Environment = processEnvironment()): string {
  return path.join(resolveConsoleHome({ env }), 'audit-checkpoints.json');
}

export const auditVerifyCommand: CliCommand = {
  name: 'audit verify',
  summary: `verify an audit export offline, or the log's growth by a proof: ${AUDIT_VERIFY_USAGE.replaceAll('audit verify ', '')}`,
  async run(args) {
    try {
      const options = parseAuditVerifyArgs(args);
      if (options.server !== undefined) {
        if (!options.email) throw new AuditVerifyUsageError('--server needs --email E');
        const password = await readPassword(processEnvironment(), `Password for ${options.email}`);
        const report = await runOnlineAuditVerify(
          { ...options, email: options.email, rememberFile: options.rememberFile ?? defaultRememberFile() },
          password,
        );
        process.stdout.write(
          options.json ? `${JSON.stringify(report.result)}\n` : formatOnlineReport(report),
        );
        return report.exitCode;
      }
      const report = await runAuditVerify({
        ...options,
        rememberFile: options.rememberFile ?? defaultRememberFile(),
      });
      process.stdout.write(
        options.json ? `${JSON.stringify(report.result)}\n` : formatAuditVerifyReport(report),
      );
      return report.exitCode;
    } catch (error) {
      if (error instanceof AuditVerifyUsageError) throw new CliError(error.message, 2);
      throw error;
    }
  },
};
