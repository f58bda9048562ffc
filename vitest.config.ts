import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// One runner for every test. The environment comes from the folder (CONTRIBUTING.md):
// test/renderer/** runs in a DOM, everything else under plain Node.
export default defineConfig({
  test: {
    reporters: ['default', './scripts/summary-reporter.ts'],
    // A safety net: a test that does not choose a console home (install salt, machine
    // key, vault) gets a throwaway one, never the user's real per-user folder.
    env: { FACTORY_CONSOLE_HOME: join(tmpdir(), `factory-console-test-home-${process.pid}`) },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: tests that start servers or workers run files in parallel, not tests.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/renderer/**', 'test/browser/**', 'node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'dom',
          environment: 'happy-dom',
          include: ['test/renderer/**/*.test.{ts,tsx}'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          environment: 'node',
          include: ['test/browser/**/*.test.ts'],
          // Chromium and the servers it talks to share two cores: one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
