/**
 * `factory-api serve` (the real entry point, spawned) against a deployment's dependencies
 * that are wrong or missing (docs/DEPLOY.md §Start-up errors): one line on stderr naming
 * the variable, never the password; exit 2 for configuration (a bad URL, a refused user or
 * database, wrong Redis credentials), exit 3 for a database that does not answer. A Redis
 * that does not answer is no reason to refuse: the server starts with per-process buckets
 * and `/ready` says so. Project `node-pg` (a real PostgreSQL server for the run), with a
 * real redis-server.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_PASSWORD, postgresServerUrl, tempDir } from '../helpers.ts';
import { startRedis, type RedisServer } from '../firewall/redis-server.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/factory-api.js');
const SECRET = 'pw-that-must-not-show';

interface Run {
  code: number | null;
  stderr: string;
  /** `/ready` while it was listening, when it started. */
  ready?: unknown;
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

/** Runs `serve` with `env`; when it starts listening, reads `/ready` and stops it. */
async function serve(env: Record<string, string>, dataDir: string): Promise<Run> {
  const port = await freePort();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        FACTORY_DATA_DIR: dataDir,
        FACTORY_TLS: 'off',
        FACTORY_PORT: String(port),
        FACTORY_LOG_LEVEL: 'fatal',
        FACTORY_SCRYPT_LOG2N: '14',
        FACTORY_DEV_BOOTSTRAP_PASSWORD: DEV_PASSWORD,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let ready: unknown;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not finish: ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (/listening on http:/.test(stderr) && ready === undefined) {
        ready = null;
        fetch(`http://127.0.0.1:${port}/ready`)
          .then(async (response) => (ready = { status: response.status, body: await response.json() }))
          .finally(() => child.kill('SIGTERM'));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ready });
    });
  });
}

/** Exactly one line, naming `variable`, without the secret. */
function expectOneLine(run: Run, variable: string): void {
  expect(run.stderr.endsWith('\n')).toBe(true);
  expect(run.stderr.trimEnd().split('\n'), run.stderr).toHaveLength(1);
  expect(run.stderr).toMatch(new RegExp(`^error: .*${variable}`));
  expect(run.stderr).not.toContain(SECRET);
}

describe('factory-api serve with a deployment that is wrong', () => {
  let dataDir: string;
  let redis: RedisServer;
  let pgUrl: URL;

  beforeAll(async () => {
    dataDir = await tempDir();
    redis = await startRedis({ password: 'the-right-one' });
    pgUrl = new URL(postgresServerUrl());
  });
  afterAll(async () => {
    await redis?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('a database that does not answer: exit 3, one line naming FACTORY_DATABASE_URL', async () => {
    const closed = await freePort();
    const run = await serve(
      { FACTORY_DATABASE_URL: `postgres://factory:${SECRET}@127.0.0.1:${closed}/factory` },
      dataDir,
    );
    expect(run.code).toBe(3);
    expectOneLine(run, 'FACTORY_DATABASE_URL: cannot reach PostgreSQL');
    expect(run.stderr).toContain(`127.0.0.1:${closed}`);
  });

  it('a user the database refuses: exit 2, one line naming FACTORY_DATABASE_URL', async () => {
    const url = new URL(pgUrl);
    url.username = 'nobody_here';
    url.password = SECRET;
    const run = await serve({ FACTORY_DATABASE_URL: url.toString() }, dataDir);
    expect(run.code).toBe(2);
    expectOneLine(run, 'FACTORY_DATABASE_URL: PostgreSQL refused nobody_here@');
  });

  it('a database that does not exist: exit 2, one line naming FACTORY_DATABASE_URL', async () => {
    const url = new URL(pgUrl);
    url.pathname = '/no_such_database';
    const run = await serve({ FACTORY_DATABASE_URL: url.toString() }, dataDir);
    expect(run.code).toBe(2);
    expectOneLine(run, 'FACTORY_DATABASE_URL: PostgreSQL refused .*the database does not exist');
  });

  it('a Redis URL that is not one: exit 2, one line naming FACTORY_REDIS_URL', async () => {
    const run = await serve({ FACTORY_REDIS_URL: `http://user:${SECRET}@127.0.0.1:6379` }, dataDir);
    expect(run.code).toBe(2);
    expectOneLine(run, 'FACTORY_REDIS_URL');
  });

  it('Redis credentials it refuses: exit 2, one line naming FACTORY_REDIS_URL', async () => {
    const run = await serve({ FACTORY_REDIS_URL: `redis://:${SECRET}@127.0.0.1:${redis.port}` }, dataDir);
    expect(run.code).toBe(2);
    expectOneLine(run, 'FACTORY_REDIS_URL: Redis at 127.0.0.1:');
  });

  it('a Redis that does not answer: starts, with per-process buckets, and /ready says so', async () => {
    const closed = await freePort();
    const run = await serve({ FACTORY_REDIS_URL: `redis://:${SECRET}@127.0.0.1:${closed}` }, dataDir);
    expect(run.code).toBe(0);
    expect(run.ready).toMatchObject({ status: 200, body: { status: 'degraded', rate_limits: 'local' } });
    expect(JSON.stringify(run.ready)).not.toContain(SECRET);
  });
});
