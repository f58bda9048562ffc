/**
 * A real PostgreSQL server for tests: Debian's binaries (`postgresql` package), a fresh
 * data directory under the temp folder, listening on loopback only (TCP, trust auth for
 * the loopback addresses, no Unix socket outside the data directory), stopped with
 * `pg_ctl stop -m fast`. As root (initdb refuses root) the server runs as the `postgres`
 * account the package creates. A machine without the binaries gets one error line saying
 * what to install — the caller fails, never skips.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const PG_MISSING =
  'PostgreSQL 15 is not installed (no initdb/pg_ctl): apt-get install postgresql (see CONTRIBUTING.md)';

/** Where Debian puts the server binaries; the newest installed major wins. */
export function findPgBin(base = '/usr/lib/postgresql'): string | undefined {
  if (!existsSync(base)) return undefined;
  const majors = execFileSync('ls', [base], { encoding: 'utf8' })
    .split('\n')
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = path.join(base, major, 'bin');
    if (existsSync(path.join(bin, 'initdb')) && existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
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

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (the maintenance database). */
  url: string;
  port: number;
  /** A URL for database `name` on this server. */
  urlFor(name: string): string;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL server; throws {@link PG_MISSING} without the binaries
 * (`searchIn`: where to look for them, Debian's `/usr/lib/postgresql` by default;
 * `durable`: fsync and synchronous commits on, as in production).
 */
export async function startPostgres(
  searchIn?: string,
  settings: { durable?: boolean } = {},
): Promise<PostgresServer> {
  const bin = findPgBin(searchIn);
  if (!bin) throw new Error(PG_MISSING);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'factory-pg-'));
  const dataDir = path.join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    await fs.chmod(root, 0o755);
    execFileSync('chown', ['postgres:postgres', root]);
  }
  // As root, run the binaries as the package's `postgres` account.
  const run = (tool: string, args: string[], timeoutMs: number) => {
    const command = asRoot ? 'runuser' : path.join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args;
    const result = spawnSync(command, argv, { encoding: 'utf8', timeout: timeoutMs, cwd: root });
    if (result.status !== 0) {
      throw new Error(
        `${tool} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout).trim()}`,
      );
    }
  };
  run(
    'initdb',
    ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    120_000,
  );
  const port = await freePort();
  const options = [
    `-c listen_addresses=127.0.0.1`,
    `-c port=${port}`,
    `-c unix_socket_directories=${root}`,
    `-c max_connections=200`,
    // A test server: durability is not what is under test, and the disk is shared. A
    // benchmark that compares with SQLite's synchronous=FULL asks for a durable one.
    ...(settings.durable ? [] : [`-c fsync=off`, `-c synchronous_commit=off`, `-c full_page_writes=off`]),
  ].join(' ');
  run(
    'pg_ctl',
    ['-D', dataDir, '-l', path.join(root, 'server.log'), '-o', options, '-w', '-t', '60', 'start'],
    90_000,
  );
  const urlFor = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;
  return {
    url: urlFor('postgres'),
    port,
    urlFor,
    async stop() {
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'], 45_000);
      } finally {
        await fs.rm(root, { recursive: true, force: true });
      }
    },
  };
}

let databases = 0;

/**
 * A fresh, empty database on the server at `serverUrl` (so every test app starts from
 * nothing, like a fresh SQLite file); `drop()` removes it, ending its connections.
 */
export async function createDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  databases += 1;
  const name = `factory_test_${process.pid}_${databases}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
