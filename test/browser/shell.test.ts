/**
 * `npm start` in browser mode, end to end: the real start script, the real embedded
 * Factory API, the built renderer in Debian's Chromium. Screenshots go to test-results/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let folder: string;
let child: ChildProcess;
let browser: Browser;
let url: string;
let output = '';

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'console-shell-'));
  await mkdir('test-results', { recursive: true });
  child = spawn(process.execPath, ['scripts/start.ts'], {
    env: {
      ...process.env,
      FACTORY_CONSOLE_BROWSER: '1',
      FACTORY_CONSOLE_DATA_DIR: folder,
      FACTORY_CONSOLE_HOME: join(folder, 'home'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 45 s:\n${output}`)), 45_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /^Factory Console \(browser mode\): (http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+)$/m.exec(
        output,
      );
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`start exited (${code}):\n${output}`)));
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  await rm(folder, { recursive: true, force: true });
});

describe('npm start (browser mode)', () => {
  it('says why it is not Electron and prints where the embedded factory keeps its data', () => {
    expect(output).toMatch(/Electron binary|Browser mode requested/);
    expect(output).toContain(`embedded local demo at http://127.0.0.1:`);
    expect(output).toContain(join(folder, 'factory'));
  });

  it("opens the console and shows the embedded factory's status", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(url);
    const banner = page.getByTestId('mode-banner');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain('Local demo factory (embedded, on this machine)');
    expect(await page.getByTestId('mode').textContent()).toBe('demo');
    expect(await page.getByTestId('posture').locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByRole('navigation').getByRole('button', { name: 'Status' }).count()).toBe(1);
    // The token left the address bar once read.
    expect(page.url()).not.toContain('token=');
    await page.screenshot({ path: 'test-results/shell-status.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('refuses a wrong token', async () => {
    const page = await browser.newPage();
    const origin = new URL(url).origin;
    await page.goto(`${origin}/#token=${'A'.repeat(43)}`);
    const alert = page.getByRole('alert').first();
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toContain('unauthenticated');
    expect(await page.getByTestId('mode-banner').count()).toBe(0);
    await page.screenshot({ path: 'test-results/shell-wrong-token.png' });
    await page.close();
  });

  it('asks for the printed address when there is no token', async () => {
    const page = await browser.newPage();
    await page.goto(new URL(url).origin + '/');
    await page.getByTestId('no-bridge').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('no-bridge').textContent()).toContain('npm start');
    await page.close();
  });
});
