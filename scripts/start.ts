/**
 * `npm start`: the desktop console when the Electron binary is installed; otherwise
 * (as here, where its download is blocked) browser mode — the renderer and the IPC
 * router on 127.0.0.1 with a per-launch token — on the embedded demo Factory API
 * unless a server URL is configured. Runs until Ctrl-C, then shuts down cleanly.
 *
 * Env: FACTORY_CONSOLE_BROWSER=1 forces browser mode; FACTORY_CONSOLE_DATA_DIR
 * (default data/console) holds settings and the embedded factory's data;
 * FACTORY_CONSOLE_PORT fixes the port (default: a free one).
 *
 * A second start on the same data folder or console home exits 1 at once, naming the
 * running console's pid and address (electron/core/platform/instance-lock.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quietSqliteWarning } from '../shared/node/process/quiet-sqlite-warning.ts';

quietSqliteWarning();

const root = fileURLToPath(new URL('..', import.meta.url));
const rendererDist = join(root, 'renderer', 'dist');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** The Electron executable if its binary was downloaded (node_modules/electron/path.txt + dist/). */
function electronExecutable(): string | null {
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const executable = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(executable) ? executable : null;
}

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function rendererIsStale(): boolean {
  const built = join(rendererDist, 'index.html');
  if (!existsSync(built)) return true;
  const sources = [
    join(root, 'renderer', 'src'),
    join(root, 'renderer', 'index.html'),
    join(root, 'shared', 'common'),
  ];
  return Math.max(...sources.filter((path) => existsSync(path)).map(newestMtime)) > statSync(built).mtimeMs;
}

function run(script: string, args: string[]): void {
  // Builds are production builds whoever starts us (Vitest sets NODE_ENV=test, which
  // would ship development React, several times slower).
  const env = { ...process.env, NODE_ENV: 'production' };
  const result = spawnSync(process.execPath, [join(root, script), ...args], {
    stdio: 'inherit',
    cwd: root,
    env,
  });
  if (result.status !== 0) {
    process.stderr.write(`${script} ${args.join(' ')} failed (exit ${result.status ?? result.signal}).\n`);
    process.exit(1);
  }
}

async function startElectron(executable: string): Promise<void> {
  process.stdout.write('Building the Electron bundles (electron-vite build)…\n');
  run('node_modules/electron-vite/bin/electron-vite.js', ['build']);
  const child = spawn(executable, [root], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('exit', (code) => process.exit(code ?? 0));
}

async function startBrowser(reason: string): Promise<void> {
  process.stdout.write(`${reason}\nStarting browser mode instead.\n`);
  const dataDir = resolve(root, process.env.FACTORY_CONSOLE_DATA_DIR ?? join('data', 'console'));
  // Loaded only now, after quietSqliteWarning(): the embedded factory opens node:sqlite.
  const { lockBrowserModeFolders, startBrowserMode } =
    await import('../electron/core/shells/browser/browser-mode.ts');
  // One console per data folder and console home, checked before anything is built or started.
  let instanceLock;
  try {
    instanceLock = await lockBrowserModeFolders(dataDir);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  if (rendererIsStale()) {
    process.stdout.write('Building the renderer (vite build)…\n');
    run('node_modules/vite/bin/vite.js', [
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--logLevel',
      'warn',
    ]);
  }
  const port = process.env.FACTORY_CONSOLE_PORT ? Number(process.env.FACTORY_CONSOLE_PORT) : 0;
  const mode = await startBrowserMode({ dataDir, staticDir: rendererDist, version, port, instanceLock });
  const info = mode.core.connection.info;
  process.stdout.write(
    [
      info.embedded
        ? `Factory API: embedded local demo at ${info.serverUrl} (data in ${join(dataDir, 'factory')})`
        : `Factory API: ${info.serverUrl}`,
      ...(info.adminEmail
        ? [
            `Sign in as ${info.adminEmail}; password in ${join(dataDir, 'factory', 'secrets', 'bootstrap_admin.txt')}`,
          ]
        : []),
      'Open this address in a browser on this machine (the token after # is this launch only):',
      `Factory Console (browser mode): ${mode.url}`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping…\n');
    void mode.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

const executable = process.env.FACTORY_CONSOLE_BROWSER === '1' ? null : electronExecutable();
if (executable) {
  await startElectron(executable);
} else {
  await startBrowser(
    process.env.FACTORY_CONSOLE_BROWSER === '1'
      ? 'Browser mode requested (FACTORY_CONSOLE_BROWSER=1).'
      : 'The Electron binary is not installed (node_modules/electron/dist is missing: its download is disabled in this environment).',
  );
}
