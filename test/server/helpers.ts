/**
 * Test helpers for the Factory API: a real app on a temporary data directory (no
 * mocks), driven with `inject()`; scrypt at its minimum allowed cost to keep tests fast.
 * The database engine comes from `FACTORY_TEST_ENGINE`: SQLite in the data directory by
 * default; `postgres` (the `node-pg` vitest project) gives each data directory its own
 * database on the run's real PostgreSQL server (test/server/db/postgres-global-setup.ts),
 * so the same test files run on both engines.
 */
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp, type BuildAppOptions } from '../../server/app.ts';
import { defaultConfig, type ServerConfig } from '../../server/config.ts';
import { createDatabase } from './db/postgres-server.ts';

export const DEV_PASSWORD = 'correct horse battery staple';
export const ADMIN_EMAIL = 'admin@localhost';

export async function tempDir(prefix = 'factory-api-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export function testConfig(dataDir: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return defaultConfig({
    dataDir,
    port: 0,
    tls: 'off',
    logLevel: 'silent',
    scryptLog2N: 14,
    devBootstrapPassword: DEV_PASSWORD,
    ...overrides,
  });
}

/** The engine this test run uses: `postgres` in the `node-pg` project, else `sqlite`. */
export const testEngine: 'sqlite' | 'postgres' =
  process.env['FACTORY_TEST_ENGINE'] === 'postgres' ? 'postgres' : 'sqlite';

/** The run's PostgreSQL server URL; throws the setup's one-line reason when there is none. */
export function postgresServerUrl(): string {
  const error = inject('postgresError');
  if (error) throw new Error(error);
  const url = inject('postgresUrl');
  if (!url) throw new Error('no PostgreSQL server for this run (is this the node-pg project?)');
  return url;
}

/** One database per data directory, so an app restarted on a directory finds its data again. */
const databases = new Map<string, Promise<{ url: string; drop(): Promise<void> }>>();

/**
 * The `databaseUrl` for an app on `dataDir`: undefined on SQLite (the file in the data
 * directory), else that directory's database on the run's PostgreSQL server.
 */
export async function testDatabaseUrl(dataDir: string): Promise<string | undefined> {
  if (testEngine !== 'postgres') return undefined;
  let database = databases.get(dataDir);
  if (!database) {
    database = createDatabase(postgresServerUrl());
    databases.set(dataDir, database);
  }
  return (await database).url;
}

async function dropTestDatabase(dataDir: string): Promise<void> {
  const database = databases.get(dataDir);
  if (!database) return;
  databases.delete(dataDir);
  await (await database).drop();
}

export interface TestApp {
  app: FastifyInstance;
  dataDir: string;
  close(): Promise<void>;
}

/** Builds an app on a fresh (or given) data directory. `close()` also removes a fresh directory. */
export async function startTestApp(
  overrides: Partial<ServerConfig> = {},
  options: Omit<BuildAppOptions, 'config'> & { dataDir?: string } = {},
): Promise<TestApp> {
  const { dataDir: given, ...rest } = options;
  const dataDir = given ?? (await tempDir());
  let app: FastifyInstance;
  try {
    const databaseUrl = overrides.databaseUrl ?? (await testDatabaseUrl(dataDir));
    app = await buildApp({
      logger: false,
      ...rest,
      config: testConfig(dataDir, { databaseUrl, ...overrides }),
    });
  } catch (error) {
    if (!given) {
      await dropTestDatabase(dataDir).catch(() => undefined);
      await fs.rm(dataDir, { recursive: true, force: true });
    }
    throw error;
  }
  return {
    app,
    dataDir,
    async close() {
      await app.close();
      if (!given) {
        await dropTestDatabase(dataDir);
        await fs.rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

export interface Session {
  access_token: string;
  refresh_token: string;
  user: { id: string; email: string; role: string };
}

export async function login(app: FastifyInstance, email: string, password: string): Promise<Session> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
  if (response.statusCode !== 200)
    throw new Error(`login ${email} failed: ${response.statusCode} ${response.body}`);
  return response.json() as Session;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Creates a user with `role` through the API (as the bootstrap super admin) and signs it in. */
export async function userWithRole(
  app: FastifyInstance,
  admin: Session,
  role: string,
): Promise<Session & { password: string }> {
  const email = `${role.replace('_', '-')}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const password = `pw-${role}-${Math.random().toString(36).slice(2)}-long`;
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: bearer(admin.access_token),
    payload: { email, password, role },
  });
  if (created.statusCode !== 201) throw new Error(`create ${role}: ${created.statusCode} ${created.body}`);
  return { ...(await login(app, email, password)), password };
}

/**
 * Raises the firewall's rate limits through its API, for tests that send
 * hundreds of requests from one address on purpose (the route matrix).
 */
export async function relaxRateLimits(app: FastifyInstance, admin: Session): Promise<void> {
  const generous = { capacity: 1_000_000, refill_per_s: 1_000_000 };
  const response = await app.inject({
    method: 'PUT',
    url: '/api/v1/firewall/limits',
    headers: bearer(admin.access_token),
    payload: { public: generous, authenticated: generous, heavy: generous },
  });
  if (response.statusCode !== 200 && response.statusCode !== 204) {
    throw new Error(`could not relax rate limits: ${response.statusCode} ${response.body}`);
  }
}

/** Listens on a free loopback port; returns the base URL (`http://127.0.0.1:PORT`). */
export async function listenOnLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** Publishes `body` as resource `name` through the API; returns the publish response. */
export async function publishResource(
  app: FastifyInstance,
  session: Session,
  name: string,
  body: Uint8Array,
): Promise<{ resource: { id: string }; manifest: { manifest: Record<string, unknown> } }> {
  const response = await app.inject({
    method: 'POST',
    url: `/api/v1/resources?name=${encodeURIComponent(name)}`,
    headers: { ...bearer(session.access_token), 'content-type': 'application/octet-stream' },
    payload: Buffer.from(body),
  });
  if (response.statusCode !== 201 && response.statusCode !== 200) {
    throw new Error(`publish ${name}: ${response.statusCode} ${response.body}`);
  }
  return response.json();
}
