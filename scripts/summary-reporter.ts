import { writeFileSync, mkdirSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Counts test cases at the end of a run and leaves the figures for scripts/test.ts,
 * which prints the closing `N passed, N failed` line. A skipped test counts as
 * failed: a skipped test hides a missing feature.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    for (const module of testModules) {
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed += 1;
      for (const test of module.children.allTests()) {
        if (test.result().state === 'passed') passed += 1;
        else failed += 1;
      }
    }
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/vitest-summary.json', JSON.stringify({ passed, failed }));
  }
}
