/**
 * Each instance's start reports its own previous shutdown (docs/DEPLOY.md, Failure at
 * start): two real `factory-api serve` processes on one PostgreSQL database, each with its
 * own data directory (same `secrets/`, so each keeps its own generated instance id). A stops
 * cleanly while B runs, then B is killed with SIGKILL. B starts again first, then A: B's
 * start records an unclean shutdown (an `audit_recovered` entry naming B), A's records
 * none. With one deployment-wide marker B's start saw A's `clean` and A's saw B's `running`.
 * Project `node-pg`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_PASSWORD, postgresServerUrl, tempDir } from '../helpers.ts';
import { createDatabase } from '../db/postgres-server.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/factory-api.js');

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

async function startInstance(dataDir: string, databaseUrl: string): Promise<ChildProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_COMPILE_CACHE: path.join(os.tmpdir(), 'factory-test-compile-cache'),
      FACTORY_DATA_DIR: dataDir,
      FACTORY_DATABASE_URL: databaseUrl,
      FACTORY_TLS: 'off',
      FACTORY_HOST: '127.0.0.1',
      FACTORY_PORT: String(port),
      FACTORY_DEV_BOOTSTRAP_PASSWORD: DEV_PASSWORD,
      FACTORY_SCRYPT_LOG2N: '14',
      FACTORY_LOG_LEVEL: 'error',
      FACTORY_MFA_REQUIRED_ROLES: '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`serve did not start within 90 s: ${stderr}`);
}

async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

describe('clean-shutdown marker per instance on one PostgreSQL database', () => {
  let dirA: string;
  let dirB: string;
  let database: { url: string; drop(): Promise<void> };
  let a: ChildProcess | undefined;
  let b: ChildProcess | undefined;
  let client: pg.Client;

  beforeAll(async () => {
    dirA = await tempDir();
    dirB = await tempDir();
    database = await createDatabase(postgresServerUrl());
    a = await startInstance(dirA, database.url);
    // The second instance gets a copy of the first one's keys (docs/DEPLOY.md), not its directory.
    await fs.cp(path.join(dirA, 'secrets'), path.join(dirB, 'secrets'), { recursive: true });
    b = await startInstance(dirB, database.url);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  }, 200_000);
  afterAll(async () => {
    await stop(a, 'SIGTERM');
    await stop(b, 'SIGTERM');
    await client?.end();
    await database?.drop();
    for (const dir of [dirA, dirB]) if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const head = async () =>
    Number(
      (await client.query<{ seq: string | null }>('select max(seq) as seq from audit_entries')).rows[0]!
        .seq ?? 0,
    );
  const recoveredAfter = async (seq: number) =>
    (
      await client.query<{ details: unknown }>(
        "select details from audit_entries where seq > $1 and type = 'audit_recovered' order by seq",
        [seq],
      )
    ).rows.map(
      (row) =>
        (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown>,
    );

  it('a restart reports its own instance: B (killed) unclean, A (stopped cleanly) nothing', async () => {
    await stop(a, 'SIGTERM'); // clean, while B runs
    await stop(b, 'SIGKILL');

    const beforeB = await head();
    b = await startInstance(dirB, database.url);
    const fromB = await recoveredAfter(beforeB);
    expect(fromB).toHaveLength(1);
    expect(fromB[0]).toMatchObject({ unclean_shutdown: true });

    const beforeA = await head();
    a = await startInstance(dirA, database.url);
    expect(await recoveredAfter(beforeA)).toEqual([]);

    // Each instance kept its own generated id, and B's entry names B.
    const idA = (await fs.readFile(path.join(dirA, 'instance-id'), 'utf8')).trim();
    const idB = (await fs.readFile(path.join(dirB, 'instance-id'), 'utf8')).trim();
    expect(idA).not.toBe(idB);
    expect(fromB[0]!.instance_id).toBe(idB);

    // Both markers are now `running`, one row each.
    const markers = await client.query<{ instance_id: string; state: string }>(
      'select instance_id, state from audit_instances order by instance_id',
    );
    expect(new Map(markers.rows.map((row) => [row.instance_id, row.state]))).toEqual(
      new Map([
        [idA, 'running'],
        [idB, 'running'],
      ]),
    );
  }, 300_000);
});
