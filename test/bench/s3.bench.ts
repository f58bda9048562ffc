/**
 * `npm run bench -- s3` → keys merged into .bench/scale.json (docs/SERVER.md §The CDN on S3):
 * unlock into the vault of a 256 MiB resource (download + SHA-256 against the signed
 * manifest + vault) with the CDN on S3 — a real s3rver process on loopback, presigned
 * URLs — next to the local CDN (`/cdn/` over TLS) in the same run, each through its own
 * `factory-api serve` process. Also publish throughput (the streamed multipart upload).
 * s3rver is a test server written in JavaScript, storing each object as a file: the S3
 * figure is a floor for a real object store, not its speed. `S3_BENCH_MIB` sets the size,
 * `S3_BENCH_RUNS` the runs (best kept).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { activateMachine } from '../../electron/core/domains/machine/activation.ts';
import { closeContainerOpenPool } from '../../electron/core/domains/resources/open-pool.ts';
import { unlockResource } from '../../electron/core/domains/resources/unlock.pipeline.ts';
import { coldVault } from './bench-fixture.ts';

const MiB = 1024 * 1024;
const SIZE_MIB = Number(process.env['S3_BENCH_MIB'] ?? 256);
const RUNS = Number(process.env['S3_BENCH_RUNS'] ?? 2);
const PASSWORD = 'correct horse battery staple';
const OUTPUT = '.bench/scale.json';
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

async function writeRandomFile(file: string, mib: number): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < mib; i++)
    if (!out.write(randomBytes(MiB)))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

function exited(child: ChildProcess, output: () => string, what: string): Promise<void> {
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed: ${output()}`)))),
  );
}

function factoryApi(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['server/cli.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (data) => (output += String(data)));
  child.stderr.on('data', (data) => (output += String(data)));
  return { child, output: () => output };
}

async function serve(env: Record<string, string>) {
  const { child, output } = factoryApi(['serve'], env);
  return new Promise<{ child: ChildProcess; url: string; fingerprint: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output()}`)), 30_000);
    child.stderr.on('data', () => {
      const url = /listening on (\S+)/.exec(output())?.[1];
      const fingerprint = /\(pin it\): (\S+)/.exec(output())?.[1];
      if (url && fingerprint) {
        clearTimeout(timer);
        resolve({ child, url, fingerprint });
      }
    });
    child.on('exit', () => reject(new Error(`server exited: ${output()}`)));
  });
}

async function main(): Promise<void> {
  const root = await fs.mkdtemp(path.join(tmpdir(), 's3-bench-'));
  const children: ChildProcess[] = [];
  try {
    const s3Port = await freePort();
    await fs.mkdir(path.join(root, 's3rver'));
    const s3rver = spawn(
      'node_modules/.bin/s3rver',
      [
        '-d',
        path.join(root, 's3rver'),
        '-a',
        '127.0.0.1',
        '-p',
        String(s3Port),
        '-s',
        '--no-vhost-buckets',
        '--configure-bucket',
        'bench-cdn',
      ],
      { stdio: 'ignore' },
    );
    children.push(s3rver);
    const plain = path.join(root, 'resource.bin');
    await writeRandomFile(plain, SIZE_MIB);
    const consoleEnv = { FACTORY_FINGERPRINT_FILE: path.join(root, 'fingerprint.json') };
    await fs.writeFile(
      consoleEnv.FACTORY_FINGERPRINT_FILE,
      JSON.stringify({ components: { cpu: 'bench', memory: '1' } }),
    );
    const s3Env = {
      FACTORY_S3_BUCKET: 'bench-cdn',
      FACTORY_S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      FACTORY_S3_FORCE_PATH_STYLE: '1',
      // s3rver's built-in test account.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    };
    await new Promise((resolve) => setTimeout(resolve, 1500)); // s3rver's start

    const setups: Record<'local' | 's3', { home: string; publishMbS: number }> = {} as never;
    for (const kind of ['local', 's3'] as const) {
      const env: Record<string, string> = {
        FACTORY_DATA_DIR: path.join(root, `data-${kind}`),
        FACTORY_PORT: String(await freePort()),
        FACTORY_DEV_BOOTSTRAP_PASSWORD: PASSWORD,
        FACTORY_LOG_LEVEL: 'warn',
        FACTORY_SCRYPT_LOG2N: '14',
        FACTORY_MFA_REQUIRED_ROLES: '',
        ...(kind === 's3' ? s3Env : {}),
      };
      const started = performance.now();
      const publish = factoryApi(['resources', 'publish', plain, '--name', 'big'], env);
      await exited(publish.child, publish.output, `publish (${kind})`);
      const publishMbS = (SIZE_MIB * MiB) / 1e6 / ((performance.now() - started) / 1000);
      const server = await serve(env);
      children.push(server.child);
      const home = path.join(root, `home-${kind}`);
      await activateMachine({
        home,
        serverUrl: server.url,
        email: 'admin@localhost',
        password: PASSWORD,
        label: 'bench',
        fingerprint: server.fingerprint,
        env: consoleEnv,
      });
      setups[kind] = { home, publishMbS };
    }

    const unlockRuns: Record<'local' | 's3', number[]> = { local: [], s3: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const kind of ['local', 's3'] as const) {
        const { home } = setups[kind];
        await coldVault(home);
        let first: number | undefined;
        let done = 0;
        await unlockResource({
          home,
          idOrName: 'big',
          password: PASSWORD,
          env: consoleEnv,
          onProgress: (progress) => {
            if (progress.phase !== 'download') return;
            if (first === undefined && progress.bytes > 0) first = performance.now();
            done = performance.now();
          },
        });
        // From the first byte to the last: the download and its verification, not the machine key's scrypt.
        unlockRuns[kind].push((SIZE_MIB * MiB) / 1e6 / ((done - (first ?? done)) / 1000 || Infinity));
      }
    }
    const result = {
      s3_unlock_mb_s: round(Math.max(...unlockRuns.s3)),
      s3_unlock_runs_mb_s: unlockRuns.s3.map((value) => round(value)),
      local_cdn_unlock_mb_s: round(Math.max(...unlockRuns.local)),
      local_cdn_unlock_runs_mb_s: unlockRuns.local.map((value) => round(value)),
      s3_publish_mb_s: round(setups.s3.publishMbS),
      local_cdn_publish_mb_s: round(setups.local.publishMbS),
      s3_bench_size_mb: SIZE_MIB,
      s3_bench_load_average_1m: round(loadavg()[0] ?? 0, 2),
    };
    let previous: Record<string, unknown> = {};
    try {
      previous = JSON.parse(readFileSync(OUTPUT, 'utf8')) as Record<string, unknown>;
    } catch {
      // no earlier figures
    }
    mkdirSync('.bench', { recursive: true });
    writeFileSync(OUTPUT, `${JSON.stringify({ ...previous, ...result }, null, 2)}\n`);
    console.table(
      Object.fromEntries(Object.entries(result).map(([key, value]) => [key, { value: String(value) }])),
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await closeContainerOpenPool();
    await fs.rm(root, { recursive: true, force: true });
  }
}

await main();
