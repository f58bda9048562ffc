/**
 * `factory-api audit verify FILE.jsonl [--checkpoint FILE] [--key KEY] [--remember FILE]`:
 * the offline verifier of an audit export (shared/node/audit/offline-verify.ts). Exit 0
 * only when the chain and a signed checkpoint hold; 1 on tampering; 2 on usage errors.
 *
 * `factory-api audit verify --server URL --email E --remember FILE`: online, by one
 * consistency proof from the remembered checkpoint to the server's newest (no export is
 * downloaded); the password comes from `FACTORY_PASSWORD` or the terminal.
 */
import {
  AUDIT_VERIFY_USAGE,
  AuditVerifyUsageError,
  formatAuditVerifyReport,
  formatOnlineReport,
  parseAuditVerifyArgs,
  runAuditVerify,
  runOnlineAuditVerify,
} from '../../shared/node/audit/offline-verify.ts';
import { ServerCliError, type ServerCliCommand } from './command.ts';
import { promptPassword } from './publish-client.ts';

export const auditVerifyCommand: ServerCliCommand = {
  name: 'audit verify',
  summary: `verify an audit export offline, or the log's growth by a proof: ${AUDIT_VERIFY_USAGE.replaceAll('audit verify ', '')}`,
  async run(args) {
    try {
      const options = parseAuditVerifyArgs(args);
      if (options.server !== undefined) {
        if (!options.rememberFile || !options.email)
          throw new AuditVerifyUsageError('--server needs --email E and --remember FILE');
        const password = process.env['FACTORY_PASSWORD'] || (await promptPassword(options.email));
        const report = await runOnlineAuditVerify(
          { ...options, email: options.email, rememberFile: options.rememberFile },
          password,
        );
        process.stdout.write(
          options.json ? `${JSON.stringify(report.result)}\n` : formatOnlineReport(report),
        );
        return report.exitCode;
      }
      const report = await runAuditVerify(options);
      process.stdout.write(
        options.json ? `${JSON.stringify(report.result)}\n` : formatAuditVerifyReport(report),
      );
      return report.exitCode;
    } catch (error) {
      if (error instanceof AuditVerifyUsageError) throw new ServerCliError(error.message, 2);
      throw error;
    }
  },
};
