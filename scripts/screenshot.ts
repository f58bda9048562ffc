/**
 * `npm run screenshot [-- VIEW]`: the README's picture, taken from the real console.
 * Starts `npm start` in browser mode (the built renderer, the real IPC router and the
 * embedded demo Factory API) in a throwaway data folder, signs in as the embedded
 * factory's admin in Debian's Chromium (playwright-core), opens VIEW (default Audit)
 * and writes docs/images/console.png. Everything is stopped and removed afterwards.
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { quietSqliteWarning } from '../shared/node/process/quiet-sqlite-warning.ts';

quietSqliteWarning();
// Loaded after the filter: server/factory.ts opens node:sqlite.
const { readBootstrapPassword } = await import('../server/factory.ts');

const root = fileURLToPath(new URL('..', import.meta.url));
const view = process.argv[2] ?? 'Audit';
const output = join(root, 'docs', 'images', 'console.png');
const CHROMIUM = '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  process.stderr.write(`${CHROMIUM} is missing: install it with apt-get install chromium\n`);
  process.exit(1);
}

const dataDir = await mkdtemp(join(tmpdir(), 'console-screenshot-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  FACTORY_CONSOLE_BROWSER: '1',
  FACTORY_CONSOLE_DATA_DIR: dataDir,
  FACTORY_CONSOLE_HOME: join(dataDir, 'home'),
};
delete env['NODE_ENV'];
const child = spawn(process.execPath, [join(root, 'scripts', 'start.ts')], {
  cwd: root,
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let printed = '';
const exited = new Promise<void>((done) => child.once('exit', () => done()));

try {
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no console address within 150 s:\n${printed}`)), 150_000);
    child.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const match = /^Factory Console \(browser mode\): (\S+)$/m.exec(printed);
      if (match?.[1]) {
        clearTimeout(timer);
        done(match[1]);
      }
    });
    child.once('exit', (code) => fail(new Error(`npm start exited (${code}):\n${printed}`)));
  });
  const email = /^Sign in as (\S+);/m.exec(printed)?.[1];
  if (!email) throw new Error(`the embedded factory printed no admin account:\n${printed}`);
  const password = await readBootstrapPassword(join(dataDir, 'factory'));
  if (!password) throw new Error('the embedded factory wrote no bootstrap password');

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    await page.goto(url);
    await page.getByTestId('mode-banner').waitFor({ timeout: 15_000 });
    const open = async (label: string): Promise<void> => {
      await page.getByRole('navigation').getByRole('button', { name: label, exact: true }).click();
      await page.getByRole('heading', { level: 1 }).first().waitFor();
    };
    await open('Sign in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
    await page.getByTestId('signed-in').waitFor({ timeout: 15_000 });
    await open(view);
    // Let the view load its data (pages, charts) before the picture.
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.waitForTimeout(1500);
    await mkdir(join(root, 'docs', 'images'), { recursive: true });
    await page.screenshot({ path: output });
    process.stdout.write(`Wrote ${output} (${view} view)\n`);
  } finally {
    await browser.close();
  }
} finally {
  child.kill('SIGINT');
  await exited;
  await rm(dataDir, { recursive: true, force: true });
}
