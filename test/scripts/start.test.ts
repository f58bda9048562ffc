/**
 * `npm start` starts quietly: the browser-mode console on its embedded Factory API
 * prints no ExperimentalWarning (node:sqlite's is filtered in scripts/start.ts, see
 * shared/node/process/quiet-sqlite-warning.ts). The filter itself, and that this kind
 * of check sees the warning when the filter is missing, are tested in
 * test/shared/node/process/quiet-sqlite-warning.test.ts.
 *
 * And `npm start` runs once per console home: a second start names the first (pid and
 * address) and exits 1; a console that was killed leaves a stale lock that the next
 * start takes over (electron/core/platform/instance-lock.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
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

/** `npm start` in browser mode on `folder` (data folder and console home); resolves on its URL or its exit. */
function startConsole(folder: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FACTORY_CONSOLE_BROWSER: '1',
    FACTORY_CONSOLE_DATA_DIR: folder,
    FACTORY_CONSOLE_HOME: join(folder, 'home'),
  };
  const child = spawn(process.execPath, [join(root, 'scripts/start.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const outcome = new Promise<{ url: string } | { code: number | null }>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`neither a URL nor an exit within 150 s:\n${output}`)),
      150_000,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /^Factory Console \(browser mode\): (http:\/\/127\.0\.0\.1:\d+)\/#token=/m.exec(
        output,
      )?.[1];
      if (url) {
        clearTimeout(timer);
        done({ url });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      done({ code });
    });
  });
  return { child, exited, outcome, output: () => output };
}

it('a second npm start on the same console home says where the first runs and exits; a killed one does not block', async () => {
  const shared = await mkdtemp(join(tmpdir(), 'single-start-'));
  const running: ChildProcess[] = [];
  try {
    const first = startConsole(shared);
    running.push(first.child);
    const firstOutcome = await first.outcome;
    expect(firstOutcome, first.output()).toHaveProperty('url');
    const firstUrl = (firstOutcome as { url: string }).url;

    const started = Date.now();
    const second = startConsole(shared);
    running.push(second.child);
    const secondOutcome = await second.outcome;
    expect(secondOutcome, second.output()).toEqual({ code: 1 });
    expect(Date.now() - started).toBeLessThan(20_000); // before any build or factory start
    expect(second.output()).toContain('A Factory Console is already running on');
    expect(second.output()).toContain(`pid ${first.child.pid}, at ${firstUrl})`);
    expect(second.output()).not.toMatch(/#token=[\w-]{20,}/); // the launch token stays with the first
    // The first is untouched: still serving.
    expect(first.child.exitCode).toBe(null);
    expect((await fetch(`${firstUrl}/`)).status).toBe(200);

    // Killed outright, it leaves its lock file behind: the next start sees the pid is gone.
    first.child.kill('SIGKILL');
    await first.exited;
    const third = startConsole(shared);
    running.push(third.child);
    const thirdOutcome = await third.outcome;
    expect(thirdOutcome, third.output()).toHaveProperty('url');
    third.child.kill('SIGINT');
    expect(await third.exited).toBe(0);
    // A clean stop removes the lock: nothing is left for the next start to judge.
    expect(await readdir(join(shared, 'home'))).not.toContain('console.lock');
  } finally {
    for (const child of running)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(shared, { recursive: true, force: true });
  }
}, 400_000);
