/**
 * `factory-api doctor [--json]`: checks a deployment's configuration and connectivity from
 * the same `FACTORY_*` variables `serve` reads (docs/DEPLOY.md §Check a deployment) and
 * prints one line per check. Exit 0 when nothing failed (warnings allowed), 1 when a check
 * failed, 2 when the configuration itself is invalid (the line names the variable).
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { runDoctor, type DoctorResult } from '../doctor/deployment-checks.ts';
import { ServerCliError, type ServerCliCommand } from './command.ts';

const MARK: Record<DoctorResult['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export const doctorCommand: ServerCliCommand = {
  name: 'doctor',
  summary: "check this deployment's configuration, database, Redis and S3 bucket (FACTORY_* variables)",
  async run(args) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true });
    let config;
    try {
      config = loadConfig(process.env);
    } catch (error) {
      if (error instanceof ConfigError)
        throw new ServerCliError(`invalid configuration: ${error.message}`, 2);
      throw error;
    }
    const results = await runDoctor(config, process.env);
    const failed = results.some((result) => result.status === 'fail');
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ok: !failed, checks: results }, null, 2)}\n`);
    } else {
      const width = Math.max(...results.map((result) => result.check.length));
      for (const result of results) {
        process.stdout.write(`${MARK[result.status]}  ${result.check.padEnd(width)}  ${result.detail}\n`);
      }
      process.stdout.write(failed ? 'doctor: some checks failed\n' : 'doctor: no check failed\n');
    }
    return failed ? 1 : 0;
  },
};
