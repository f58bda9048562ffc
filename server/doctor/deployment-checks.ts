/**
 * What `factory-api doctor` checks on a deployment (docs/DEPLOY.md §Check a deployment):
 * the configuration as `serve` would read it, the data directory's keys, the database
 * (reachable, migrated), Redis (when configured) and the S3 bucket (when configured).
 * Each check connects, looks and disconnects: it never migrates, creates or writes.
 * Only host, port, user and database names reach the output, never a password.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { ServerConfig } from '../config.ts';
import { connectDatabase, pendingMigrations } from '../db/database.ts';
import { classifyDatabaseError, describeDatabaseUrl } from '../db/database-errors.ts';
import { isRedisAuthError, redisTarget } from '../firewall/redis-buckets.ts';
import { configRefusals } from '../prod-guard.ts';
import { SECRET_FILES } from '../secrets/server-keys.ts';
import { s3BucketCheck } from './s3-check.ts';

/** `ok`: fine; `warn`: works, but worth a look; `fail`: the deployment will not work as configured. */
export type DoctorStatus = 'ok' | 'warn' | 'fail';

export interface DoctorResult {
  /** Short name: `config`, `data_dir`, `database`, `redis`, `s3`. */
  check: string;
  status: DoctorStatus;
  /** One line. */
  detail: string;
}

/** A check of one dependency, given the configuration and the environment it came from. */
export type DoctorCheck = (
  config: ServerConfig,
  env: Record<string, string | undefined>,
) => Promise<DoctorResult | undefined>;

const TIMEOUT_MS = 5_000;

const line = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';

/** The production guard's refusals and TLS-at-a-proxy settings. */
export function configCheck(config: ServerConfig): DoctorResult {
  const refusals = configRefusals(config);
  if (refusals.length > 0) return { check: 'config', status: 'fail', detail: refusals.join('; ') };
  if (config.tls === 'proxy' && config.trustedProxies.length === 0) {
    return {
      check: 'config',
      status: 'warn',
      detail: 'FACTORY_TLS=proxy without FACTORY_TRUSTED_PROXIES: client addresses are the proxy’s',
    };
  }
  const where = config.tls === 'proxy' ? 'TLS at a proxy' : config.tls === 'on' ? 'HTTPS' : 'plain HTTP';
  return {
    check: 'config',
    status: config.tls === 'off' ? 'warn' : 'ok',
    detail: `valid (${where}${config.prod ? ', production' : ''})`,
  };
}

/** The keys every instance must share: present, owner-only. */
export async function dataDirCheck(config: ServerConfig): Promise<DoctorResult> {
  const dir = path.join(config.dataDir, 'secrets');
  const missing: string[] = [];
  const loose: string[] = [];
  for (const file of Object.values(SECRET_FILES)) {
    try {
      if (((await fs.stat(path.join(dir, file))).mode & 0o077) !== 0) loose.push(file);
    } catch {
      missing.push(file);
    }
  }
  if (missing.length === Object.values(SECRET_FILES).length) {
    return {
      check: 'data_dir',
      status: 'warn',
      detail: `no keys in ${dir} yet: the first serve makes them; every instance needs the same ones`,
    };
  }
  if (missing.length > 0) {
    return {
      check: 'data_dir',
      status: 'fail',
      detail: `missing in ${dir}: ${missing.join(', ')} (restore from backup)`,
    };
  }
  if (loose.length > 0) {
    return {
      check: 'data_dir',
      status: 'fail',
      detail: `readable by others: ${loose.join(', ')} (chmod 600)`,
    };
  }
  return { check: 'data_dir', status: 'ok', detail: `keys present in ${dir} (0600)` };
}

/** Reachable, and every migration applied. */
export async function databaseCheck(config: ServerConfig): Promise<DoctorResult> {
  const url = config.databaseUrl;
  const where = url
    ? `PostgreSQL at ${describeDatabaseUrl(url)}`
    : `SQLite at ${path.join(config.dataDir, 'factory.sqlite')}`;
  if (!url) {
    const exists = await fs.access(path.join(config.dataDir, 'factory.sqlite')).then(
      () => true,
      () => false,
    );
    if (!exists)
      return { check: 'database', status: 'warn', detail: `${where}: not created yet (serve creates it)` };
  }
  let db;
  try {
    db = await connectDatabase(config.dataDir, url);
    const { applied, pending } = await pendingMigrations(db);
    if (pending.length > 0) {
      return {
        check: 'database',
        status: 'warn',
        detail: `${where}: reachable, ${pending.length} migration(s) pending (${pending.join(', ')}): the next serve applies them`,
      };
    }
    return { check: 'database', status: 'ok', detail: `${where}: reachable, ${applied} migrations applied` };
  } catch (error) {
    const reason = url ? classifyDatabaseError(error, url) : undefined;
    return { check: 'database', status: 'fail', detail: reason?.message ?? `${where}: ${line(error)}` };
  } finally {
    await db?.destroy().catch(() => undefined);
  }
}

/** Redis answers (and takes the credentials); without it, several PostgreSQL instances limit on their own. */
export async function redisCheck(config: ServerConfig): Promise<DoctorResult> {
  if (!config.redisUrl) {
    return config.databaseUrl
      ? {
          check: 'redis',
          status: 'warn',
          detail:
            'FACTORY_REDIS_URL unset: each instance has its own rate-limit buckets (N instances, N budgets)',
        }
      : { check: 'redis', status: 'ok', detail: 'not configured (one instance: per-process rate limits)' };
  }
  const target = redisTarget(config.redisUrl);
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: TIMEOUT_MS,
    commandTimeout: TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The socket's own error (ECONNREFUSED, …) says more than the rejected command's.
  let socketError: unknown;
  redis.on('error', (error: unknown) => (socketError ??= error));
  try {
    await redis.connect();
    await redis.ping();
    const info = await redis.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    return {
      check: 'redis',
      status: 'ok',
      detail: `Redis ${version} at ${target}: answers, rate-limit buckets shared`,
    };
  } catch (caught) {
    const error = isRedisAuthError(caught) ? caught : (socketError ?? caught);
    const why = isRedisAuthError(error)
      ? `refused the credentials (${line(error)})`
      : `unreachable (${line(error)})`;
    return {
      check: 'redis',
      status: 'fail',
      detail: `FACTORY_REDIS_URL: Redis at ${target} ${why}; serve would run with per-process buckets`,
    };
  } finally {
    redis.disconnect();
  }
}

/** Every check, in order; extra checks (other areas') after the built-in ones. */
export async function runDoctor(
  config: ServerConfig,
  env: Record<string, string | undefined>,
  extra: readonly DoctorCheck[] = [],
): Promise<DoctorResult[]> {
  const results: DoctorResult[] = [configCheck(config), await dataDirCheck(config)];
  results.push(await databaseCheck(config));
  results.push(await redisCheck(config));
  for (const check of [s3BucketCheck, ...extra]) {
    const result = await check(config, env);
    if (result) results.push(result);
  }
  return results;
}
