/**
 * `npm run bench -- scale` → .bench/scale.json: the Factory API scaled out
 * (docs/DEPLOY.md §Figures). Real `factory-api serve` processes on loopback (plain HTTP),
 * a real PostgreSQL server and a real Redis server from Debian's packages, temporary
 * directories, all in the same run:
 *
 * - audit_appends_per_s_pg_1, _pg_2, _sqlite_1: acknowledged `POST /api/v1/audit/events`
 *   per second (API key, CONNECTIONS in flight split over the instances) through one and
 *   two instances on one PostgreSQL database, and through one instance on SQLite;
 * - rps_status_pg, rps_status_sqlite: authenticated `GET /api/v1/status` per second;
 * - rate_limit_shared_error: requests two instances sharing one Redis admit against one
 *   bucket of size B (3·B sent, split over both), divided by B (target ≤ 1.05);
 * - s3_unlock_mb_s next to the local CDN's: test/bench/s3.bench.ts, run as the last
 *   section in its own process (it merges its keys into the same file).
 *
 * The machine is shared (two cores: load generator, servers and databases compete), so the
 * load average is recorded. To add a figure: add an entry to `sections` below; its keys
 * are merged into the same file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createDatabase, startPostgres, type PostgresServer } from '../server/db/postgres-server.ts';
import { startRedis, type RedisServer } from '../server/firewall/redis-server.ts';
import { PASSWORD, round } from './bench-fixture.ts';

const CONNECTIONS = 16;
const DURATION_S = 5;
const BUCKET = 200;
const OUTPUT = '.bench/scale.json';

interface Instance {
  base: string;
  child: ChildProcess;
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

const instances: Instance[] = [];

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--no-warnings', 'bin/factory-api.js', 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      FACTORY_TLS: 'off',
      FACTORY_HOST: '127.0.0.1',
      FACTORY_PORT: String(port),
      FACTORY_DEV_BOOTSTRAP_PASSWORD: PASSWORD,
      FACTORY_MFA_REQUIRED_ROLES: '',
      FACTORY_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${base}/health`)).ok) {
        const instance = { base, child };
        instances.push(instance);
        return instance;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`serve did not start: ${stderr}`);
}

async function stopAll(): Promise<void> {
  for (const { child } of instances.splice(0)) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

async function json(response: Response): Promise<Record<string, unknown>> {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/**
 * Signs in, sets the tiers (public: one bucket of BUCKET, hardly refilled; the others out
 * of the way) and makes an `audit:append` key. Instances started afterwards read the tiers.
 */
async function prepare(instance: Instance): Promise<{ token: string; key: string }> {
  const signIn = await json(
    await fetch(`${instance.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@localhost', password: PASSWORD }),
    }),
  );
  const token = String(signIn['access_token']);
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const generous = { capacity: 1_000_000, refill_per_s: 1_000_000 };
  await json(
    await fetch(`${instance.base}/api/v1/firewall/limits`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({
        public: { capacity: BUCKET, refill_per_s: 0.01 },
        authenticated: generous,
        heavy: generous,
      }),
    }),
  );
  const created = await json(
    await fetch(`${instance.base}/api/v1/api-keys`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'bench', scopes: ['audit:append'] }),
    }),
  );
  return { token, key: String(created['key']) };
}

const handoff = JSON.stringify({
  type: 'agent_handoff',
  resource: 'pipeline/bench',
  details: { from_agent: 'planner', to_agent: 'coder', reason: 'bench', output_sha256: '0'.repeat(64) },
});

/** Requests per second over `targets` together (one autocannon per target, in parallel). */
async function load(
  targets: Instance[],
  request: { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string },
  expectStatus: number,
): Promise<number> {
  const runs = await Promise.all(
    targets.map((target) =>
      autocannon({
        url: `${target.base}${request.path}`,
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        connections: Math.max(1, Math.floor(CONNECTIONS / targets.length)),
        duration: DURATION_S,
      }),
    ),
  );
  const wrong = runs.reduce((sum, run) => sum + run.errors + run.non2xx, 0);
  if (expectStatus < 300 && wrong > 0) throw new Error(`${request.path}: ${wrong} responses were not 2xx`);
  return runs.reduce((sum, run) => sum + run.requests.total, 0) / DURATION_S;
}

const appends = (targets: Instance[], key: string) =>
  load(
    targets,
    {
      method: 'POST',
      path: '/api/v1/audit/events',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: handoff,
    },
    201,
  );

const status = (target: Instance, token: string) =>
  load(
    [target],
    { method: 'GET', path: '/api/v1/status', headers: { authorization: `Bearer ${token}` } },
    200,
  );

/** Sends 3·BUCKET public requests split over `targets`, `CONNECTIONS` at a time; counts the admitted. */
async function admitted(targets: Instance[]): Promise<number> {
  let next = 0;
  let count = 0;
  const total = BUCKET * 3;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < total) {
        const index = next++;
        const response = await fetch(`${targets[index % targets.length]!.base}/api/v1/status`);
        await response.body?.cancel();
        if (response.status !== 429) count += 1;
      }
    }),
  );
  return count;
}

let postgres: PostgresServer | undefined;
let redis: RedisServer | undefined;
const root = await fs.mkdtemp(path.join(tmpdir(), 'factory-bench-scale-'));
const results: Record<string, unknown> = {};

/** Each section measures some figures; add one here to add figures to .bench/scale.json. */
const sections: Array<[string, () => Promise<Record<string, unknown>>]> = [
  [
    'PostgreSQL + Redis, one and two instances',
    async () => {
      // Durable, like SQLite's synchronous=FULL: commits wait for the disk on both engines.
      postgres = await startPostgres(undefined, { durable: true });
      redis = await startRedis();
      const database = await createDatabase(postgres.url);
      const env = {
        FACTORY_DATA_DIR: path.join(root, 'pg'),
        FACTORY_DATABASE_URL: database.url,
        FACTORY_REDIS_URL: redis.url,
      };
      const first = await startInstance(env);
      const { token, key } = await prepare(first);
      const second = await startInstance(env);
      const figures: Record<string, unknown> = {};
      figures['rate_limit_shared_error'] = round((await admitted([first, second])) / BUCKET, 3);
      figures['rate_limit_bucket'] = BUCKET;
      figures['audit_appends_per_s_pg_1'] = Math.round(await appends([first], key));
      figures['audit_appends_per_s_pg_2'] = Math.round(await appends([first, second], key));
      figures['rps_status_pg'] = Math.round(await status(first, token));
      await stopAll();
      return figures;
    },
  ],
  [
    'SQLite, one instance',
    async () => {
      const only = await startInstance({ FACTORY_DATA_DIR: path.join(root, 'sqlite') });
      const { token, key } = await prepare(only);
      const figures: Record<string, unknown> = {};
      figures['audit_appends_per_s_sqlite_1'] = Math.round(await appends([only], key));
      figures['rps_status_sqlite'] = Math.round(await status(only, token));
      await stopAll();
      return figures;
    },
  ],
  [
    'CDN on S3 (s3rver) next to the local CDN',
    () => {
      // Its own process, as `npm run bench -- s3` runs it; its figures land in the file itself.
      const run = spawnSync(process.execPath, ['--expose-gc', 'test/bench/s3.bench.ts'], {
        stdio: 'inherit',
      });
      if (run.status !== 0) throw new Error(`test/bench/s3.bench.ts exited with ${String(run.status)}`);
      return Promise.resolve({});
    },
  ],
];

try {
  for (const [name, measure] of sections) {
    process.stdout.write(`- ${name}\n`);
    Object.assign(results, await measure());
  }
} finally {
  await stopAll();
  await redis?.stop();
  await postgres?.stop();
  await fs.rm(root, { recursive: true, force: true });
}

results['audit_appends_per_s'] = {
  pg_1: results['audit_appends_per_s_pg_1'],
  pg_2: results['audit_appends_per_s_pg_2'],
  sqlite_1: results['audit_appends_per_s_sqlite_1'],
};
results['rate_limit_shared_error_target'] = 1.05;
results['postgres_durable'] = true;
results['connections'] = CONNECTIONS;
results['duration_s'] = DURATION_S;
results['load_average'] = loadavg().map((value) => round(value, 2));
console.table(Object.fromEntries(Object.entries(results).filter(([, value]) => typeof value === 'number')));
mkdirSync('.bench', { recursive: true });
// Figures other runs wrote to the same file (another section measured separately) are kept.
let previous: Record<string, unknown> = {};
try {
  previous = JSON.parse(readFileSync(OUTPUT, 'utf8')) as Record<string, unknown>;
} catch {
  // first run
}
writeFileSync(OUTPUT, `${JSON.stringify({ ...previous, ...results }, null, 2)}\n`);
