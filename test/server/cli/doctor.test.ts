/**
 * `factory-api doctor` (the real entry point, spawned) on deployments that work and that
 * do not: a migrated PostgreSQL database with a running Redis passes; an unmigrated one
 * warns; a database, Redis or S3 endpoint that does not answer fails the run (exit 1) with
 * a line naming the variable and no password; invalid configuration exits 2. Project
 * `node-pg` (the run's PostgreSQL server), with a real redis-server and s3rver.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresServerUrl, startTestApp, tempDir } from '../helpers.ts';
import { createDatabase } from '../db/postgres-server.ts';
import { startRedis, type RedisServer } from '../firewall/redis-server.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/factory-api.js');
const SECRET = 'pw-that-must-not-show';
/** s3rver's command line: an S3 implementation that is not ours, on loopback. */
const S3RVER = path.resolve(import.meta.dirname, '../../../node_modules/s3rver/bin/s3rver.js');

interface Check {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

function doctor(env: Record<string, string>, args: string[] = ['--json']) {
  const result = spawnSync(process.execPath, [BIN, 'doctor', ...args], {
    env: { PATH: process.env.PATH ?? '', FACTORY_TLS: 'proxy', FACTORY_TRUSTED_PROXIES: '10.0.0.1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const parsed =
    args.includes('--json') && result.stdout
      ? (JSON.parse(result.stdout) as { ok: boolean; checks: Check[] })
      : undefined;
  const byName = Object.fromEntries((parsed?.checks ?? []).map((check) => [check.check, check]));
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, parsed, byName };
}

/** `doctor` without blocking the event loop (a server this test started must keep answering). */
function doctorAsync(env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; byName: Record<string, Check> }>(
    (resolve) => {
      const child = spawn(process.execPath, [BIN, 'doctor', '--json'], {
        env: {
          PATH: process.env.PATH ?? '',
          FACTORY_TLS: 'proxy',
          FACTORY_TRUSTED_PROXIES: '10.0.0.1',
          ...env,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) => {
        const checks = stdout ? (JSON.parse(stdout) as { checks: Check[] }).checks : [];
        resolve({
          code,
          stdout,
          stderr,
          byName: Object.fromEntries(checks.map((check) => [check.check, check])),
        });
      });
    },
  );
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('factory-api doctor', () => {
  let redis: RedisServer;
  let dataDir: string;
  let database: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    redis = await startRedis();
    dataDir = await tempDir();
    database = await createDatabase(postgresServerUrl());
    // A deployment that has run once: keys in the data directory, the schema migrated.
    const harness = await startTestApp({ databaseUrl: database.url }, { dataDir });
    await harness.close();
  });
  afterAll(async () => {
    await redis?.stop();
    await database?.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('passes a deployment whose database is migrated and whose Redis answers', () => {
    const run = doctor({
      FACTORY_DATA_DIR: dataDir,
      FACTORY_DATABASE_URL: database.url,
      FACTORY_REDIS_URL: redis.url,
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.parsed?.ok).toBe(true);
    expect(run.byName['config']?.status).toBe('ok');
    expect(run.byName['data_dir']?.status).toBe('ok');
    expect(run.byName['database']).toMatchObject({ status: 'ok' });
    expect(run.byName['database']?.detail).toMatch(/reachable, \d+ migrations applied/);
    expect(run.byName['redis']).toMatchObject({ status: 'ok' });
    expect(run.byName['redis']?.detail).toContain(`127.0.0.1:${redis.port}`);
    // No S3 bucket configured: no S3 line.
    expect(run.byName['s3']).toBeUndefined();
  });

  it('prints a checklist, one line per check, and says whether any failed', () => {
    const run = doctor(
      { FACTORY_DATA_DIR: dataDir, FACTORY_DATABASE_URL: database.url, FACTORY_REDIS_URL: redis.url },
      [],
    );
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 4).map((line) => line.split(/\s+/)[1])).toEqual([
      'config',
      'data_dir',
      'database',
      'redis',
    ]);
    expect(lines.slice(0, 4).every((line) => line.startsWith('ok'))).toBe(true);
    expect(lines.at(-1)).toBe('doctor: no check failed');
  });

  it('warns about an unmigrated database and per-instance rate limits, and still passes', async () => {
    const fresh = await createDatabase(postgresServerUrl());
    try {
      const run = doctor({ FACTORY_DATA_DIR: dataDir, FACTORY_DATABASE_URL: fresh.url });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.byName['database']?.status).toBe('warn');
      expect(run.byName['database']?.detail).toMatch(/migration\(s\) pending/);
      expect(run.byName['redis']?.status).toBe('warn');
      expect(run.byName['redis']?.detail).toContain('FACTORY_REDIS_URL unset');
    } finally {
      await fresh.drop();
    }
  });

  it('fails, naming each variable and no password, when nothing answers', async () => {
    const [pgPort, redisPort, s3Port] = [await freePort(), await freePort(), await freePort()];
    const run = doctor({
      FACTORY_DATA_DIR: dataDir,
      FACTORY_DATABASE_URL: `postgres://factory:${SECRET}@127.0.0.1:${pgPort}/factory`,
      FACTORY_REDIS_URL: `redis://:${SECRET}@127.0.0.1:${redisPort}`,
      FACTORY_S3_BUCKET: 'factory-cdn',
      FACTORY_S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      FACTORY_S3_FORCE_PATH_STYLE: '1',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: SECRET,
    });
    expect(run.code).toBe(1);
    expect(run.parsed?.ok).toBe(false);
    expect(run.byName['database']).toMatchObject({ status: 'fail' });
    expect(run.byName['database']?.detail).toContain('FACTORY_DATABASE_URL: cannot reach PostgreSQL');
    expect(run.byName['redis']).toMatchObject({ status: 'fail' });
    expect(run.byName['redis']?.detail).toContain('FACTORY_REDIS_URL');
    expect(run.byName['redis']?.detail).toContain('ECONNREFUSED');
    expect(run.byName['s3']).toMatchObject({ status: 'fail' });
    expect(run.byName['s3']?.detail).toContain('FACTORY_S3_BUCKET');
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it('checks the S3 bucket on a real S3 implementation (s3rver): there and missing', async () => {
    const port = await freePort();
    const directory = await tempDir('factory-s3rver-');
    const s3rver = spawn(
      process.execPath,
      [
        S3RVER,
        '-d',
        directory,
        '-a',
        '127.0.0.1',
        '-p',
        String(port),
        '-s',
        '--configure-bucket',
        'factory-cdn',
      ],
      { stdio: 'ignore' },
    );
    try {
      await waitForPort(port);
      const s3 = (bucket: string) =>
        doctorAsync({
          FACTORY_DATA_DIR: dataDir,
          FACTORY_S3_BUCKET: bucket,
          FACTORY_S3_ENDPOINT: `http://127.0.0.1:${port}`,
          FACTORY_S3_REGION: 'us-east-1',
          FACTORY_S3_FORCE_PATH_STYLE: '1',
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
        });
      const there = await s3('factory-cdn');
      expect(there.byName['s3'], there.stdout + there.stderr).toMatchObject({ status: 'ok' });
      expect(there.byName['s3']?.detail).toContain(`bucket factory-cdn at 127.0.0.1:${port}`);
      const missing = await s3('no-such-bucket');
      expect(missing.code).toBe(1);
      expect(missing.byName['s3']?.detail).toContain('does not exist');
      // (s3rver answers HeadBucket whatever the signature, so wrong credentials cannot be shown here.)
    } finally {
      s3rver.kill('SIGTERM');
      await fs.rm(directory, { recursive: true, force: true });
    }
  }, 120_000);

  it('fails an S3 bucket without credentials, saying which variables to set', () => {
    const run = doctor({
      FACTORY_DATA_DIR: dataDir,
      FACTORY_S3_BUCKET: 'factory-cdn',
      FACTORY_S3_ENDPOINT: 'http://127.0.0.1:9',
      // No credentials anywhere the SDK looks.
      HOME: dataDir,
    });
    expect(run.code).toBe(1);
    expect(run.byName['s3']?.detail).toContain('AWS_ACCESS_KEY_ID');
  });

  it('invalid configuration: exit 2, one line naming the variable', () => {
    const run = doctor({ FACTORY_DATA_DIR: dataDir, FACTORY_REDIS_URL: 'http://not-redis' });
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: invalid configuration: FACTORY_REDIS_URL/);
  });
});
