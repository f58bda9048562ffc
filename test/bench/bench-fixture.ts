/**
 * What several benchmarks share: random files, a Factory API in its own process on
 * loopback, a console activated and given a vault item through the real CLIs, the
 * machine's crypto ceiling, and timing of a child process with its peak RSS.
 * Not a benchmark itself (scripts/bench.ts runs only `*.bench.ts`).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { MACHINE_KEK_SCRYPT } from '../../shared/node/crypto/kdf.ts';

export const MiB = 1024 * 1024;
export const PASSWORD = 'correct horse battery staple';
export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** `npm run build:cli`: the benches time the CLI from its bundle, as an operator runs it (docs/CLI.md "Start-up"). */
export function buildCli(): void {
  const build = spawnSync(process.execPath, ['scripts/build-cli.ts'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build:cli failed: ${build.stderr}`);
}

/**
 * `node -e` source of the machine key's scrypt alone (`MACHINE_KEK_SCRYPT`, what `cat` and
 * `unlock` derive first): timed and its peak RSS read in a fresh process, beside ours.
 */
export const KDF_ALONE = `
const { scryptSync } = require('node:crypto');
const { N, r, p } = ${JSON.stringify(MACHINE_KEK_SCRYPT)};
scryptSync('a password', 'a salt of sixteen', 32, { N, r, p, maxmem: 256 * N * r * 2 });`;

/**
 * Empties the vault of items (and their staging, locks and export queue) for a cold
 * unlock, keeping vault/clock.json: activation writes that sealed clock record, and
 * offline checks refuse a deleted one as tampering.
 */
export async function coldVault(home: string): Promise<void> {
  const vault = path.join(home, 'vault');
  const entries = await fs.readdir(vault).catch(() => [] as string[]);
  for (const entry of entries)
    if (entry !== 'clock.json') await fs.rm(path.join(vault, entry), { recursive: true, force: true });
}

export async function writeRandomFile(file: string, mib: number): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < mib; i++) {
    if (!out.write(randomBytes(MiB)))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

export async function sha256File(file: string): Promise<string> {
  const digest = createHash('sha256');
  for await (const piece of createReadStream(file, { highWaterMark: MiB })) digest.update(piece as Buffer);
  return digest.digest('hex');
}

/** `openssl speed -elapsed` of one algorithm at the 16 KiB column, MB/s on one core. */
export function opensslSpeed(args: string[]): number {
  const out = execFileSync('openssl', ['speed', '-elapsed', '-seconds', '2', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 60_000,
  });
  const columns = (out.trim().split('\n').at(-1) ?? '').trim().split(/\s+/);
  const value = Number.parseFloat(columns.at(-1) ?? '');
  if (!Number.isFinite(value)) throw new Error('cannot parse openssl speed output');
  return value / 1000;
}

/** The machine's ceiling for MAC + decrypt on `cores` cores: 1/(1/aes + 1/sha) per core × cores. */
export function cryptoCeilingMbS(cores: number): { aes: number; sha: number; ceiling: number } {
  const aes = opensslSpeed(['-evp', 'aes-256-cbc', '-decrypt']);
  const sha = opensslSpeed(['-evp', 'sha256']);
  return { aes, sha, ceiling: (1 / (1 / aes + 1 / sha)) * cores };
}

/** Fails with one line naming the Debian package when a peer tool is missing. */
export function requireTools(tools: Record<string, string>): void {
  for (const [command, pkg] of Object.entries(tools)) {
    try {
      execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`${command} is not installed: apt-get install -y ${pkg}`);
    }
  }
}

export interface TimedRun {
  seconds: number;
  /** Peak resident set of the process (VmHWM, sampled until it exits), MiB. */
  peakRssMib: number;
  /** CPU seconds (user + system, all threads) of the process, sampled every 5 ms until it exits. */
  cpuSeconds: number;
  stderr: string;
}

/** CPU seconds (user + system) a process has used so far, from /proc: contention on a shared machine does not inflate it. */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Runs a command to completion and times it from spawn to exit. `stdout` may be a file
 * descriptor (`command > file`). Rejects when it exits non-zero.
 */
export function timeCommand(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdout?: number | 'ignore'; cwd?: string } = {},
): Promise<TimedRun> {
  const stdio: StdioOptions = ['ignore', options.stdout ?? 'ignore', 'pipe'];
  const started = performance.now();
  const child = spawn(command, args, { env: options.env ?? process.env, stdio, cwd: options.cwd });
  let stderr = '';
  child.stderr?.on('data', (data) => (stderr += String(data)));
  let peak = 0;
  let cpuSeconds = 0;
  const sample = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peak = Math.max(peak, Number(match[1]) / 1024);
      cpuSeconds = Math.max(cpuSeconds, cpuSecondsOf(child.pid!));
    } catch {
      // exited between samples
    }
  };
  const sampler = setInterval(sample, 5);
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ seconds, peakRssMib: peak, cpuSeconds, stderr });
    });
  });
}

/** `node server/cli.ts ARGS` to completion. */
export async function factoryApi(args: string[], env: Record<string, string>): Promise<string> {
  return runNode(['server/cli.ts', ...args], env);
}

/** `node bin/factory-console.js ARGS` to completion (what an installed `factory-console` runs). */
export async function factoryConsole(args: string[], env: Record<string, string>): Promise<string> {
  return runNode(['bin/factory-console.js', ...args], env);
}

async function runNode(args: string[], env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (data) => (output += String(data)));
  child.stderr.on('data', (data) => (output += String(data)));
  const code = await new Promise<number>((resolve) => child.on('exit', (value) => resolve(value ?? 1)));
  if (code !== 0) throw new Error(`node ${args.join(' ')} failed: ${output}`);
  return output;
}

export interface BenchServer {
  child: ChildProcess;
  url: string;
  fingerprint: string;
  stop(): Promise<void>;
}

/** `factory-api serve` in its own process, TLS on, until `stop()`. */
export async function startServer(env: Record<string, string>): Promise<BenchServer> {
  const child = spawn(process.execPath, ['server/cli.ts', 'serve'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${text}`)), 30_000);
    child.stderr.on('data', (data) => {
      text += String(data);
      const url = /listening on (\S+)/.exec(text)?.[1];
      const fingerprint = /\(pin it\): (\S+)/.exec(text)?.[1];
      if (url && fingerprint) {
        clearTimeout(timer);
        resolve({ child, url, fingerprint, stop });
      }
    });
    child.once('exit', () => reject(new Error(`server exited: ${text}`)));
  });
}

export interface ConsoleFixture {
  root: string;
  serverEnv: Record<string, string>;
  /** Environment of the console CLI (its home, the password for scripts). Secret: holds the password. */
  consoleEnv: Record<string, string>;
  server: BenchServer;
}

/**
 * A server with the given files published under their names, and a console home
 * activated against it (real fingerprint, real machine-key scrypt cost).
 */
export async function consoleFixture(
  root: string,
  published: Array<{ file: string; name: string }>,
): Promise<ConsoleFixture> {
  const serverEnv = {
    FACTORY_DATA_DIR: path.join(root, 'data'),
    FACTORY_PORT: String(20000 + Math.floor(Math.random() * 20000)),
    FACTORY_DEV_BOOTSTRAP_PASSWORD: PASSWORD,
    FACTORY_LOG_LEVEL: 'warn',
    FACTORY_SCRYPT_LOG2N: '14',
    // The bench signs in as the bootstrap admin on loopback, without enrolling a second factor.
    FACTORY_MFA_REQUIRED_ROLES: '',
  };
  for (const { file, name } of published)
    await factoryApi(['resources', 'publish', file, '--name', name], serverEnv);
  const server = await startServer(serverEnv);
  const consoleEnv = {
    FACTORY_CONSOLE_HOME: path.join(root, 'home'),
    FACTORY_PASSWORD: PASSWORD,
    // Other load on a shared machine can stall the fingerprint's tools past the default timeout.
    FACTORY_FINGERPRINT_TIMEOUT_MS: '10000',
  };
  await fs.mkdir(consoleEnv.FACTORY_CONSOLE_HOME, { recursive: true, mode: 0o700 });
  await factoryConsole(
    [
      'activate',
      '--server',
      server.url,
      '--email',
      'admin@localhost',
      '--label',
      'bench',
      '--fingerprint',
      server.fingerprint,
    ],
    consoleEnv,
  );
  return { root, serverEnv, consoleEnv, server };
}
