/**
 * Two real `factory-api serve` processes of one deployment (a shared data directory, one
 * PostgreSQL database) take concurrent appends; one is killed with SIGKILL in the middle.
 * The survivor keeps appending, its chain verifies, and every entry either instance
 * acknowledged (201) is in it with the same hash; the killed one starts again beside it and
 * appends to the same chain. Project `node-pg`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditVerifyResult } from '../../../shared/common/audit-event.ts';
import { ADMIN_EMAIL, DEV_PASSWORD, postgresServerUrl, tempDir } from '../helpers.ts';
import { createDatabase } from '../db/postgres-server.ts';
import { handoff } from './audit-helpers.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/factory-api.js');
const CLIENTS_PER_INSTANCE = 4;

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

interface Instance {
  base: string;
  process: ChildProcess;
}

async function startInstance(dataDir: string, databaseUrl: string): Promise<Instance> {
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
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return { base, process: child };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`serve did not start within 90 s: ${stderr}`);
}

async function stopInstance(instance: Instance | undefined, signal: NodeJS.Signals): Promise<void> {
  const child = instance?.process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

async function signIn(base: string): Promise<Record<string, string>> {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: DEV_PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`sign-in: ${response.status} ${await response.text()}`);
  return { authorization: `Bearer ${((await response.json()) as { access_token: string }).access_token}` };
}

describe('SIGKILL of one of two instances during concurrent appends', () => {
  let dataDir: string;
  let database: { url: string; drop(): Promise<void> };
  let victim: Instance | undefined;
  let survivor: Instance | undefined;

  beforeAll(async () => {
    dataDir = await tempDir();
    database = await createDatabase(postgresServerUrl());
    // One after the other: the first creates the keys and the first admin, the second finds them.
    survivor = await startInstance(dataDir, database.url);
    victim = await startInstance(dataDir, database.url);
  });
  afterAll(async () => {
    await stopInstance(victim, 'SIGKILL');
    await stopInstance(survivor, 'SIGTERM');
    await database?.drop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('the survivor keeps one chain that verifies and holds every acknowledged entry', async () => {
    const auth = await signIn(survivor!.base);
    const created = await fetch(`${survivor!.base}/api/v1/api-keys`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kill-test', scopes: ['audit:append'] }),
    });
    expect(created.status).toBe(201);
    const key = ((await created.json()) as { key: string }).key;

    const acknowledged = new Map<number, string>();
    const ackedBy = { victim: 0, survivor: 0 };
    let killed = false;
    let stop = false;
    const client = (target: Instance, name: 'victim' | 'survivor', id: number) => async () => {
      for (let index = 0; !stop && index < 5_000; index += 1) {
        try {
          const response = await fetch(`${target.base}/api/v1/audit/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': key },
            body: JSON.stringify(handoff(id * 10_000 + index)),
          });
          if (response.status !== 201) throw new Error(`append: ${response.status} ${await response.text()}`);
          const body = (await response.json()) as { seq: number; hash: string };
          expect(acknowledged.has(body.seq), `seq ${body.seq} acknowledged twice`).toBe(false);
          acknowledged.set(body.seq, body.hash);
          ackedBy[name] += 1;
        } catch (error) {
          // The killed instance: an unanswered request was never acknowledged.
          if (name === 'victim' && killed) return;
          throw error;
        }
      }
    };
    const clients = [
      ...Array.from({ length: CLIENTS_PER_INSTANCE }, (_, id) => client(victim!, 'victim', id)()),
      ...Array.from({ length: CLIENTS_PER_INSTANCE }, (_, id) => client(survivor!, 'survivor', 100 + id)()),
    ];
    // Kill once both have acknowledged a good number, in the middle of the burst.
    const deadline = Date.now() + 60_000;
    while ((ackedBy.victim < 60 || ackedBy.survivor < 60) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    killed = true;
    await stopInstance(victim, 'SIGKILL');
    const survivorAtKill = ackedBy.survivor;
    // The survivor goes on appending after the kill.
    while (ackedBy.survivor < survivorAtKill + 60 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    stop = true;
    await Promise.all(clients);
    expect(ackedBy.victim).toBeGreaterThanOrEqual(60);
    expect(ackedBy.survivor).toBeGreaterThanOrEqual(survivorAtKill + 60);

    const verify = (await (
      await fetch(`${survivor!.base}/api/v1/audit/verify`, { headers: auth })
    ).json()) as AuditVerifyResult;
    expect(verify.ok, JSON.stringify(verify)).toBe(true);

    // The killed instance starts again beside the survivor (its start-up recovery runs on
    // the shared chain) and appends; the chain still verifies from both.
    victim = await startInstance(dataDir, database.url);
    const after = await fetch(`${victim.base}/api/v1/audit/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(handoff(999_999)),
    });
    expect(after.status).toBe(201);
    const last = (await after.json()) as { seq: number; hash: string };
    acknowledged.set(last.seq, last.hash);
    for (const instance of [victim, survivor!]) {
      const again = (await (
        await fetch(`${instance.base}/api/v1/audit/verify`, { headers: await signIn(instance.base) })
      ).json()) as AuditVerifyResult;
      expect(again.ok, JSON.stringify(again)).toBe(true);
    }

    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      const rows = (
        await db.query<{ seq: string; hash: string }>('select seq, hash from audit_entries order by seq')
      ).rows;
      const stored = new Map(rows.map((row) => [Number(row.seq), row.hash]));
      // Gap-free: 1…N, nothing quarantined by the restart's recovery.
      expect(rows.map((row) => Number(row.seq))).toEqual(
        Array.from({ length: rows.length }, (_, i) => i + 1),
      );
      const quarantined = await db.query<{ count: string }>('select count(*) from audit_quarantine');
      expect(Number(quarantined.rows[0]!.count)).toBe(0);
      for (const [seq, hash] of acknowledged) expect(stored.get(seq), `acknowledged seq ${seq}`).toBe(hash);
    } finally {
      await db.end();
    }
  }, 180_000);
});
