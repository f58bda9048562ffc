import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/** Tests of PostgreSQL itself (several instances on one server): project `node-pg` only. */
const POSTGRES_ONLY = [
  'test/server/db/postgres.test.ts',
  'test/server/cli/serve-startup.test.ts',
  'test/server/audit/audit-kill-instances.test.ts',
  'test/server/audit/audit-kill-instances-marker.test.ts',
  'test/server/cli/doctor.test.ts',
  'test/server/machines/seat-limit-race.test.ts',
];

/** Server test files that run on both SQLite (project `node`) and PostgreSQL (project `node-pg`). */
const POSTGRES_SUITE = [
  'test/server/auth/bootstrap.test.ts',
  'test/server/auth/brute-force.test.ts',
  'test/server/auth/csrf.test.ts',
  'test/server/auth/jwt-negatives.test.ts',
  'test/server/auth/mfa/mfa.routes.test.ts',
  'test/server/auth/oidc/sso-flow.test.ts',
  'test/server/users/users.test.ts',
  'test/server/machines/machines.test.ts',
  'test/server/resources/resources.test.ts',
  'test/server/audit/audit-api.test.ts',
  'test/server/audit/audit-tail-instances.test.ts',
  'test/server/firewall/firewall-api.test.ts',
  'test/server/route-matrix.test.ts',
  ...POSTGRES_ONLY,
];

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
          exclude: ['test/renderer/**', 'test/browser/**', 'node_modules/**', ...POSTGRES_ONLY],
        },
      },
      {
        // The database-backed server tests again, on a real PostgreSQL server started
        // for the run (docs/SERVER.md, "Running on PostgreSQL"): the same files, the
        // engine chosen by FACTORY_TEST_ENGINE in test/server/helpers.ts.
        extends: true,
        test: {
          name: 'node-pg',
          environment: 'node',
          include: POSTGRES_SUITE,
          env: { FACTORY_TEST_ENGINE: 'postgres' },
          globalSetup: ['test/server/db/postgres-global-setup.ts'],
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
