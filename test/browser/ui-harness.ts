/**
 * Shared set-up of the UI browser tests and the UI benchmark: `npm start` in browser
 * mode (the real start script, the real embedded Factory API, the built renderer) in a
 * temporary data folder, and Debian's Chromium through playwright-core. Same way as
 * shell.test.ts starts it, so the tests see what an operator sees.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export interface ConsoleUnderTest {
  url: string;
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

/** Starts the console in browser mode and a headless Chromium; `close()` stops both and removes the data. */
export async function startConsoleUnderTest(): Promise<ConsoleUnderTest> {
  const dataDir = await mkdtemp(join(tmpdir(), 'console-ui-'));
  await mkdir(screenshotDir, { recursive: true });
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.ts'], {
    env: { ...process.env, FACTORY_CONSOLE_BROWSER: '1', FACTORY_CONSOLE_DATA_DIR: dataDir },
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
        const match = /^Factory Console \(browser mode\): (http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)$/m.exec(output);
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
      origin: new URL(url).origin,
      dataDir,
      browser,
      adminEmail,
      adminPassword: async () =>
        (await readFile(join(dataDir, 'factory', 'secrets', 'bootstrap_admin.txt'), 'utf8')).trim(),
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
