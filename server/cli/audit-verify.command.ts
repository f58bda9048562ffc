/**
 * `factory-api audit verify FILE.jsonl [--checkpoint FILE] [--key KEY] [--remember FILE]`:
 * the offline verifier of an audit export (shared/node/audit/offline-verify.ts). Exit 0
 * only when the chain and a signed checkpoint hold; 1 on tampering; 2 on usage errors.
 */
import {
  AUDIT_VERIFY_USAGE,
  AuditVerifyUsageError,
  formatAuditVerifyReport,
  parseAuditVerifyArgs,
  runAuditVerify,
} from '../../shared/node/audit/offline-verify.ts';
import { ServerCliError, type ServerCliCommand } from './command.ts';

export const auditVerifyCommand: ServerCliCommand = {
  name: 'audit verify',
  summary: `verify an audit export offline: ${AUDIT_VERIFY_USAGE.replace('audit verify ', '')}`,
  async run(args) {
    try {
      const options = parseAuditVerifyArgs(args);
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
