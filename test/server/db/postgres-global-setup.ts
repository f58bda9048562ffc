/**
 * Vitest global setup of the `node-pg` project: one real PostgreSQL server for the run
 * (see postgres-server.ts), stopped after it. Its URL reaches the tests through
 * `inject('postgresUrl')`; every test app gets its own database on it (helpers.ts). When
 * the server cannot start (no binaries), the reason is provided instead and every test
 * that wants PostgreSQL fails with that one line — the suite never skips.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    postgresError: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    const server = await startPostgres();
    project.provide('postgresUrl', server.url);
    project.provide('postgresError', '');
    return () => server.stop();
  } catch (error) {
    project.provide('postgresUrl', '');
    project.provide('postgresError', error instanceof Error ? error.message : String(error));
    return () => Promise.resolve();
  }
}
