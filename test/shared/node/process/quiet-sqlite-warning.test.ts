/**
 * Quiet start: node:sqlite's ExperimentalWarning is filtered, and nothing else. Each
 * check runs a real Node process (the project's Node 22) and reads its stderr; the first
 * shows that the same check sees the warning when the filter is not installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isSqliteExperimentalWarning } from '../../../../shared/node/process/quiet-sqlite-warning.ts';

const root = resolve(import.meta.dirname, '../../../..');
const moduleUrl = pathToFileURL(join(root, 'shared/node/process/quiet-sqlite-warning.ts')).href;
const folders: string[] = [];
afterAll(async () => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));

/** stderr of `node --input-type=module -e code`, with the environment's warning options removed. */
function stderrOf(code: string): string {
  const env = { ...process.env };
  delete env['NODE_NO_WARNINGS'];
  delete env['NODE_OPTIONS'];
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env });
  expect(result.status, result.stderr).toBe(0);
  return result.stderr;
}

describe('quietSqliteWarning', () => {
  it('without it, loading node:sqlite prints the ExperimentalWarning (the check below can fail)', () => {
    expect(stderrOf("await import('node:sqlite');")).toMatch(
      /ExperimentalWarning: SQLite is an experimental feature/,
    );
  });

  it('with it, node:sqlite loads silently and every other warning is still printed', () => {
    const stderr = stderrOf(
      [
        `const { quietSqliteWarning } = await import(${JSON.stringify(moduleUrl)});`,
        'quietSqliteWarning();',
        'quietSqliteWarning();', // twice: still one filter, each other warning printed once
        "const { DatabaseSync } = await import('node:sqlite');",
        "new DatabaseSync(':memory:').close();",
        "process.emitWarning('another experimental thing', 'ExperimentalWarning');",
        "process.emitWarning('an old API', 'DeprecationWarning', 'DEP_TEST');",
      ].join('\n'),
    );
    expect(stderr).not.toMatch(/SQLite/);
    expect(stderr.match(/ExperimentalWarning: another experimental thing/g)).toHaveLength(1);
    expect(stderr.match(/\[DEP_TEST\] DeprecationWarning: an old API/g)).toHaveLength(1);
  });

  it('recognises only the SQLite warning', () => {
    const warning = (name: string, message: string) => Object.assign(new Error(message), { name });
    expect(
      isSqliteExperimentalWarning(
        warning('ExperimentalWarning', 'SQLite is an experimental feature and might change at any time'),
      ),
    ).toBe(true);
    expect(
      isSqliteExperimentalWarning(warning('ExperimentalWarning', 'WASI is an experimental feature')),
    ).toBe(false);
    expect(
      isSqliteExperimentalWarning(warning('DeprecationWarning', 'SQLite is an experimental feature')),
    ).toBe(false);
  });
});

describe('the entry points start quietly', () => {
  it('`factory-api serve` (bin/factory-api.js, as npx runs it) prints no ExperimentalWarning', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'quiet-serve-'));
    folders.push(folder);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FACTORY_DATA_DIR: folder,
      FACTORY_PORT: '0',
      FACTORY_TLS: 'off',
      FACTORY_DEV_BOOTSTRAP_PASSWORD: 'a quiet start password',
      FACTORY_LOG_LEVEL: 'warn',
    };
    delete env['NODE_NO_WARNINGS'];
    delete env['NODE_OPTIONS'];
    const child = spawn(process.execPath, [join(root, 'bin/factory-api.js'), 'serve'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`not listening within 30 s:\n${stderr}`)), 30_000);
      child.stderr.on('data', () => {
        if (/Factory API listening on http:\/\/127\.0\.0\.1:\d+/.test(stderr)) {
          clearTimeout(timer);
          done();
        }
      });
      child.once('exit', (code) => fail(new Error(`exited (${code}) before listening:\n${stderr}`)));
    });
    // Let a warning emitted on a later tick arrive before stopping.
    await new Promise((done) => setTimeout(done, 300));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/ExperimentalWarning|SQLite is an experimental/);
  }, 60_000);
});
