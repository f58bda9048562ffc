/**
 * Shared set-up of the UI browser tests and the UI benchmark: `npm start` in browser
 * mode (the real start script, the real embedded Factory API, the built renderer) in a
 * temporary data folder, and Debian's Chromium through playwright-core. Same way as
 * shell.test.ts starts it, so the tests see what an operator sees.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { readBootstrapPassword } from '../../server/factory.ts';

export interface ConsoleUnderTest {
  url: string;
  /** The same address with a query (e.g. `audit=synthetic`) before the token fragment. */
  urlWith(query: string): string;
  origin: string;
  dataDir: string;
  browser: Browser;
  /** The embedded factory's admin account, when it printed one. */
  adminEmail: string | null;
  adminPassword(): Promise<string>;
  output(): string;
  close(): Promise<void>;
}

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export const screenshotDir = 'test-results/screenshots';

/**
 * Vitest sets NODE_ENV=test, and a Vite build inherits it: React would ship its
 * development build (several times slower, and not what operators run). Rebuild the
 * renderer in production mode if the current build is a development one.
 */
export async function ensureProductionRenderer(env: NodeJS.ProcessEnv): Promise<void> {
  const assets = join('renderer', 'dist', 'assets');
  const files = await readdir(assets).catch(() => [] as string[]);
  let development = false;
  for (const file of files.filter((name) => name.endsWith('.js'))) {
    if ((await readFile(join(assets, file), 'utf8')).includes('jsxDEV')) development = true;
  }
  if (files.length > 0 && !development) return;
  const built = spawnSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'],
    { env: { ...env, NODE_ENV: 'production' }, stdio: 'inherit' },
  );
  if (built.status !== 0) throw new Error(`vite build failed (${built.status})`);
}

/** Starts the console in browser mode and a headless Chromium; `close()` stops both and removes the data. */
export async function startConsoleUnderTest(): Promise<ConsoleUnderTest> {
  const dataDir = await mkdtemp(join(tmpdir(), 'console-ui-'));
  await mkdir(screenshotDir, { recursive: true });
  let output = '';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FACTORY_CONSOLE_BROWSER: '1',
    FACTORY_CONSOLE_DATA_DIR: dataDir,
    // The console's home (install salt, machine key, vault) stays inside the test's
    // folder unless the test chose one: tests never touch the user's real home.
    FACTORY_CONSOLE_HOME: process.env.FACTORY_CONSOLE_HOME ?? join(dataDir, 'home'),
  };
  delete env.NODE_ENV;
  await ensureProductionRenderer(env);
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  async function stopChild(): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${output}`)), 60_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /^Factory Console \(browser mode\): (http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)$/m.exec(
          output,
        );
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`start exited (${code}):\n${output}`));
      });
    });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    const adminEmail = /^Sign in as (\S+);/m.exec(output)?.[1] ?? null;
    return {
      url,
      urlWith: (query) => url.replace('/#', `/?${query}#`),
      origin: new URL(url).origin,
      dataDir,
      browser,
      adminEmail,
      async adminPassword() {
        const password = await readBootstrapPassword(join(dataDir, 'factory'));
        if (!password) throw new Error('bootstrap_admin.txt has no password line');
        return password;
      },
      output: () => output,
      async close() {
        await browser.close();
        await stopChild();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopChild();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
