/**
 * `npm test`: typecheck, lint, supply-chain gate, then every test. Each check counts
 * as one test in the closing line, so a run that executed nothing cannot pass.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

type Step = { name: string; command: string; args: string[] };

const steps: Step[] = [
  { name: 'typecheck (tsc -b)', command: 'tsc', args: ['-b'] },
  { name: 'lint (eslint)', command: 'eslint', args: ['--max-warnings', '0', '.'] },
  { name: 'format (prettier --check)', command: 'prettier', args: ['--check', '--log-level', 'warn', '.'] },
  { name: 'supply chain (npm audit, licenses)', command: 'node', args: ['scripts/supply-chain.ts'] },
];

let passed = 0;
let failed = 0;
for (const step of steps) {
  process.stdout.write(`\n▶ ${step.name}\n`);
  const result = spawnSync(step.command, step.args, { stdio: 'inherit' });
  if (result.status === 0) {
    passed += 1;
    process.stdout.write(`✔ ${step.name}\n`);
  } else {
    failed += 1;
    process.stdout.write(`✘ ${step.name} (exit ${result.status ?? result.signal})\n`);
  }
}

const summaryFile = 'test-results/vitest-summary.json';
rmSync(summaryFile, { force: true });
process.stdout.write('\n▶ tests (vitest)\n');
const vitest = spawnSync('vitest', ['run', ...process.argv.slice(2)], { stdio: 'inherit' });
if (existsSync(summaryFile)) {
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { passed: number; failed: number };
  passed += summary.passed;
  failed += summary.failed;
}
if (vitest.status !== 0 || !existsSync(summaryFile)) failed += 1;

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
