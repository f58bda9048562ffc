/**
 * `npm start` starts quietly: the browser-mode console on its embedded Factory API
 * prints no ExperimentalWarning (node:sqlite's is filtered in scripts/start.ts, see
 * shared/node/process/quiet-sqlite-warning.ts). The filter itself, and that this kind
 * of check sees the warning when the filter is missing, are tested in
 * test/shared/node/process/quiet-sqlite-warning.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
let folder = '';
afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

it('npm start (browser mode, embedded factory) prints no ExperimentalWarning', async () => {
  folder = await mkdtemp(join(tmpdir(), 'quiet-start-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FACTORY_CONSOLE_BROWSER: '1',
    FACTORY_CONSOLE_DATA_DIR: folder,
    FACTORY_CONSOLE_HOME: join(folder, 'home'),
  };
  delete env['NODE_NO_WARNINGS'];
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, [join(root, 'scripts/start.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  try {
    // The first start may build the renderer (vite) before listening.
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no URL within 150 s:\n${stdout}\n${stderr}`)), 150_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/^Factory Console \(browser mode\): http:\/\/127\.0\.0\.1:\d+\/#token=/m.test(stdout)) {
          clearTimeout(timer);
          done();
        }
      });
      child.once('exit', (code) => fail(new Error(`exited (${code}) before its URL:\n${stdout}\n${stderr}`)));
    });
    await new Promise((done) => setTimeout(done, 300));
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
  expect(stdout).toMatch(/Factory API: embedded local demo at http:\/\/127\.0\.0\.1:\d+/);
  expect(stderr).not.toMatch(/ExperimentalWarning|SQLite is an experimental/);
}, 200_000);
