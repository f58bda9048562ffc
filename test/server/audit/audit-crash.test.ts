/**
 * Crash safety with a real server process: `node server/cli.ts serve` (plain HTTP on a
 * loopback port, temporary data directory) is killed with SIGKILL at a random moment
 * during a burst of appends from 8 concurrent clients, at least 50 times. Every append
 * the server acknowledged (201) must be in the log afterwards with the same hash, the
 * chain must verify, and each restart must have recorded its recovery.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditPage, AuditVerifyResult } from '../../../shared/common/audit-event.ts';
import { ADMIN_EMAIL, DEV_PASSWORD } from '../helpers.ts';
import { handoff } from './audit-helpers.ts';

/** Kills to aim for; the loop also stops at TIME_LIMIT_MS, and a loaded machine restarts slowly. */
const KILLS = 50;
/** Fewer kills than this would not be a burst test: fail rather than pass on a handful. */
const MIN_KILLS = 10;
const TIME_LIMIT_MS = 270_000;
const CLIENTS = 8;

let dataDir: string;
let child: ChildProcess | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startServer(): Promise<{ base: string; process: ChildProcess }> {
  const port = await freePort();
  const started = spawn(process.execPath, ['server/cli.ts', 'serve'], {
    env: {
      ...process.env,
      NODE_COMPILE_CACHE: path.join(os.tmpdir(), 'factory-test-compile-cache'),
      FACTORY_TLS: 'off',
      FACTORY_HOST: '127.0.0.1',
      FACTORY_PORT: String(port),
      FACTORY_DATA_DIR: dataDir,
      FACTORY_DEV_BOOTSTRAP_PASSWORD: DEV_PASSWORD,
      FACTORY_SCRYPT_LOG2N: '14',
      FACTORY_LOG_LEVEL: 'error',
      // The test appends with an API key of the bootstrap admin, who enrols no second factor.
      FACTORY_MFA_REQUIRED_ROLES: '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child = started;
  let stderr = '';
  started.stderr?.setEncoding('utf8');
  started.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const base = `http://127.0.0.1:${port}`;
  // Generous: on a shared two-core machine under heavy load a cold start can take long.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (started.exitCode !== null) throw new Error(`server exited with ${started.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return { base, process: started };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`server did not start within 90 s: ${stderr}`);
}

async function killHard(target: ChildProcess): Promise<void> {
  if (target.exitCode !== null || target.signalCode !== null) return;
  const exited = new Promise((resolve) => target.once('exit', resolve));
  target.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'audit-crash-'));
});
afterAll(async () => {
  if (child) await killHard(child);
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('SIGKILL during a burst of appends', () => {
  it(`loses no acknowledged entry over up to ${KILLS} kills (at least ${MIN_KILLS})`, async () => {
    const began = Date.now();
    const acknowledged = new Map<number, string>();
    let apiKey = '';
    let kills = 0;
    while (kills < KILLS && Date.now() - began < TIME_LIMIT_MS) {
      const server = await startServer();
      if (!apiKey) {
        const signIn = await fetch(`${server.base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: ADMIN_EMAIL, password: DEV_PASSWORD }),
        });
        const { access_token } = (await signIn.json()) as { access_token: string };
        const created = await fetch(`${server.base}/api/v1/api-keys`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
          body: JSON.stringify({ name: 'crash-test', scopes: ['audit:append'] }),
        });
        // A refused key would leave every append unanswered and the loop waiting: fail at once.
        if (created.status !== 201)
          throw new Error(`API key refused: ${created.status} ${await created.text()}`);
        apiKey = ((await created.json()) as { key: string }).key;
      }
      let firstAck: () => void = () => undefined;
      const acked = new Promise<void>((resolve) => (firstAck = resolve));
      let stop = false;
      const clients = Array.from({ length: CLIENTS }, async (_, client) => {
        for (let index = 0; !stop && index < 10_000; index += 1) {
          try {
            const response = await fetch(`${server.base}/api/v1/audit/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
              body: JSON.stringify(handoff(kills * 100_000 + client * 1000 + index)),
            });
            if (response.status === 201) {
              const body = (await response.json()) as { seq: number; hash: string };
              acknowledged.set(body.seq, body.hash);
              firstAck();
            } else {
              await response.body?.cancel();
            }
          } catch {
            return; // the server died: an unanswered request was never acknowledged
          }
        }
      });
      await acked;
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 200));
      await killHard(server.process);
      kills += 1;
      stop = true;
      await Promise.all(clients);
    }
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);

    // One more start: recovery runs, then everything is checked through the API.
    const server = await startServer();
    const signIn = await fetch(`${server.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: DEV_PASSWORD }),
    });
    const auth = {
      authorization: `Bearer ${((await signIn.json()) as { access_token: string }).access_token}`,
    };
    const verify = (await (
      await fetch(`${server.base}/api/v1/audit/verify`, { headers: auth })
    ).json()) as AuditVerifyResult;
    expect(verify.ok, JSON.stringify(verify)).toBe(true);
    const stored = new Map<number, AuditEntry>();
    let after = 0;
    for (let guard = 0; guard < 10_000; guard += 1) {
      const response = await fetch(`${server.base}/api/v1/audit?order=asc&limit=1000&after=${after}`, {
        headers: auth,
      });
      const page = (await response.json()) as AuditPage;
      for (const entry of page.entries) stored.set(entry.seq, entry);
      if (page.next === null) break;
      after = page.next;
    }
    expect(acknowledged.size).toBeGreaterThan(KILLS);
    for (const [seq, hash] of acknowledged)
      expect(stored.get(seq)?.hash, `acknowledged seq ${seq}`).toBe(hash);
    const recoveries = [...stored.values()].filter((entry) => entry.type === 'audit_recovered');
    expect(recoveries.length).toBe(KILLS);
    expect(recoveries.every((entry) => entry.details['unclean_shutdown'] === true)).toBe(true);
    const ended = new Promise((resolve) => server.process.once('exit', resolve));
    server.process.kill('SIGTERM');
    await ended;
    child = undefined;
  }, 300_000);
});
