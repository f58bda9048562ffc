/**
 * `factory-console fingerprint [--json]`: this machine's fingerprint components
 * (serials masked), what is missing and why, the binding strength, `hw_hash` and
 * the collection time (docs/OPERATOR.md §Machine identity).
 */
import { resolveConsoleHome } from '../../platform/console-home.ts';
import {
  collectFingerprint,
  getFingerprint,
  type CollectOptions,
} from '../../domains/machine/fingerprint.collector.ts';
import { FingerprintOverrideError } from '../../domains/machine/fingerprint-override.ts';
import { describeFingerprint, formatFingerprintReport } from '../../domains/machine/fingerprint.report.ts';
import { InstallSaltError } from '../../domains/machine/install-salt.ts';
import { CliError, type CliCommand } from './command.ts';
import { processEnvironment } from '../../platform/environment.ts';

/** What the command reads and writes; tests replace them. */
export interface FingerprintCommandDeps {
  /** Collection options (tests inject collectors); when given, the process cache is bypassed. */
  collect?: CollectOptions;
  env?: Readonly<Record<string, string | undefined>>;
  stdout?: (text: string) => void;
}

/** Builds the command; `fingerprintCommand` below is the CLI's instance. */
export function createFingerprintCommand(deps: FingerprintCommandDeps = {}): CliCommand {
  const stdout = deps.stdout ?? ((text: string) => void process.stdout.write(text));
  return {
    name: 'fingerprint',
    summary: "Show this machine's hardware fingerprint, binding strength and hw_hash [--json]",
    async run(args: string[]): Promise<number> {
      const unknown = args.filter((arg) => arg !== '--json');
      if (unknown.length > 0)
        throw new CliError(`fingerprint: unknown option ${unknown[0]} (usage: fingerprint [--json])`, 2);
      const env = deps.env ?? processEnvironment();
      try {
        const fingerprint = deps.collect
          ? await collectFingerprint({ env, ...deps.collect })
          : await getFingerprint({ env });
        const report = await describeFingerprint(fingerprint, resolveConsoleHome({ env }));
        stdout(
          args.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : formatFingerprintReport(report),
        );
        return 0;
      } catch (error) {
        if (error instanceof FingerprintOverrideError || error instanceof InstallSaltError)
          throw new CliError(error.message);
        throw error;
      }
    },
  };
}

export const fingerprintCommand = createFingerprintCommand();
