/**
 * The posture checklist of `GET /api/v1/status` (docs/SERVER.md §Start and configure): each item
 * says whether a security control is on, how much it matters, and a one-line fix.
 * Other plugins add items with `app.addPostureCheck` (e.g. the firewall's enforce mode).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { PostureItem } from '../../shared/common/api/status.ts';
import { BOOTSTRAP_FILE } from '../auth/bootstrap.ts';
import type { RedisBucketsStatus } from '../firewall/redis-buckets.ts';
import { SECRET_FILES } from '../secrets/server-keys.ts';

export type PostureCheck = () => PostureItem | Promise<PostureItem>;

const item = (
  id: string,
  ok: boolean,
  severity: PostureItem['severity'],
  detail: string,
  fix: string,
): PostureItem => ({
  id,
  ok,
  severity,
  detail,
  fix: ok ? '' : fix,
});

async function secretsPersisted(dataDir: string): Promise<PostureItem> {
  const dir = path.join(dataDir, 'secrets');
  const loose: string[] = [];
  try {
    if (((await fs.stat(dir)).mode & 0o077) !== 0) loose.push('secrets/');
    for (const file of Object.values(SECRET_FILES)) {
      if (((await fs.stat(path.join(dir, file))).mode & 0o077) !== 0) loose.push(file);
    }
  } catch {
    return item(
      'secrets_persisted',
      false,
      'critical',
      'server keys are missing from data/secrets/',
      'restore data/secrets/ from backup',
    );
  }
  return item(
    'secrets_persisted',
    loose.length === 0,
    'critical',
    loose.length === 0
      ? 'keys persisted under data/secrets/ (dir 0700, files 0600)'
      : `readable by others: ${loose.join(', ')}`,
    'chmod 700 data/secrets && chmod 600 data/secrets/*',
  );
}

async function bootstrapRotated(app: FastifyInstance): Promise<PostureItem> {
  const still = await app.db
    .selectFrom('users')
    .select('email')
    .where('bootstrap_password', '=', 1)
    .execute();
  const fileLeft = await fs.access(path.join(app.config.dataDir, 'secrets', BOOTSTRAP_FILE)).then(
    () => true,
    () => false,
  );
  const ok = still.length === 0 && !fileLeft;
  const detail = ok
    ? 'the first-run password has been changed'
    : still.length > 0
      ? `still on the bootstrap password: ${still.map((row) => row.email).join(', ')}`
      : `${BOOTSTRAP_FILE} is still on disk`;
  return item(
    'bootstrap_password_rotated',
    ok,
    'critical',
    detail,
    `sign in, change the password, delete data/secrets/${BOOTSTRAP_FILE}`,
  );
}

/** The firewall's enforce mode (`app.firewall`), read without depending on its module. */
function firewallEnforce(app: FastifyInstance): PostureItem {
  const firewall = app.hasDecorator('firewall')
    ? (app as unknown as { firewall?: { enforce?: unknown } }).firewall
    : undefined;
  if (firewall === undefined) {
    return item(
      'firewall_enforce',
      false,
      'warning',
      'no firewall installed',
      'install the firewall plugin (server/firewall)',
    );
  }
  const enforce = firewall.enforce === true;
  return item(
    'firewall_enforce',
    enforce,
    'warning',
    enforce
      ? 'default-deny: only allow-listed and loopback clients'
      : 'deny rules and rate limits apply; all other clients are allowed',
    "allow-list the operators' addresses, then set FACTORY_FIREWALL_ENFORCE=1",
  );
}

/** The shared buckets' state, undefined without Redis (read without depending on the firewall's module). */
export function bucketStatusOf(app: FastifyInstance): RedisBucketsStatus | undefined {
  const firewall = app.hasDecorator('firewall')
    ? (app as unknown as { firewall?: { bucketStatus?(): RedisBucketsStatus | undefined } }).firewall
    : undefined;
  return firewall?.bucketStatus?.();
}

/**
 * Where the rate-limit buckets live (`app.firewall.bucketStatus()`): computed on every
 * request, outside the posture cache, because Redis can go away at any moment.
 */
export function rateLimitStore(app: FastifyInstance): PostureItem {
  const status = bucketStatusOf(app);
  if (status === undefined) {
    const postgres = app.config.databaseUrl !== undefined;
    return item(
      'rate_limit_store',
      !postgres,
      'warning',
      postgres
        ? 'rate-limit buckets are per process: N instances on one database give N budgets'
        : 'rate-limit buckets in this process (one instance)',
      'set FACTORY_REDIS_URL to share the buckets between instances (docs/DEPLOY.md)',
    );
  }
  const shared = status.state === 'shared';
  return item(
    'rate_limit_store',
    shared,
    'warning',
    shared
      ? `rate-limit buckets shared in Redis at ${status.target}`
      : `Redis at ${status.target} unreachable since ${status.since} (${status.reason ?? 'unknown'}): per-process buckets meanwhile`,
    `bring Redis at ${status.target} back (FACTORY_REDIS_URL); the server uses it again as soon as it answers`,
  );
}

/**
 * Where big parts live and whether the store answers (cdn/cdn-store.ts): not cached by
 * the store beyond a few seconds, since a bucket can go away at any moment.
 */
export async function cdnStorage(app: FastifyInstance): Promise<PostureItem[]> {
  const health = await app.cdn.check();
  const retention = app.cdn.retention();
  return [
    item(
      'cdn_store',
      health.ok,
      'warning',
      health.detail,
      `check ${health.variable ?? 'the CDN'}: unlocks fail until the store answers (docs/SERVER.md §The CDN on S3)`,
    ),
    item(
      'cdn_object_lock',
      retention.state !== 'unsupported',
      retention.state === 'unsupported' ? 'warning' : 'info',
      retention.detail,
      'enable object lock on a new bucket (it cannot be turned on later on most stores), or unset FACTORY_S3_OBJECT_LOCK_DAYS',
    ),
  ];
}

/** Computes the whole checklist. */
export async function computePosture(
  app: FastifyInstance,
  extra: readonly PostureCheck[],
): Promise<PostureItem[]> {
  const { config } = app;
  const items: PostureItem[] = [
    item(
      'tls',
      config.tls !== 'off',
      'critical',
      config.tls === 'on'
        ? `HTTPS${app.tlsIdentity?.selfSigned ? ' with a self-signed certificate (pin its fingerprint)' : ''}`
        : config.tls === 'proxy'
          ? 'TLS terminated by a trusted reverse proxy'
          : 'plain HTTP',
      'set FACTORY_TLS=on (default) or FACTORY_TLS=proxy behind a TLS proxy',
    ),
    item(
      'hsts',
      config.tls !== 'off',
      'warning',
      config.tls !== 'off' ? 'Strict-Transport-Security sent over HTTPS' : 'no HSTS without TLS',
      'enable TLS',
    ),
    item(
      'cors',
      !config.corsOrigins.includes('*'),
      'critical',
      config.corsOrigins.length === 0
        ? 'same-origin only'
        : `allowed origins: ${config.corsOrigins.join(', ')}`,
      'list exact origins in FACTORY_CORS_ORIGINS',
    ),
    item(
      'trusted_hosts',
      config.trustedHosts.length > 0,
      'warning',
      config.trustedHosts.length > 0
        ? `Host must be one of: ${config.trustedHosts.join(', ')}`
        : 'Host header is not checked',
      'set FACTORY_TRUSTED_HOSTS=api.example.com',
    ),
    item(
      'csrf',
      true,
      'critical',
      'cookie sessions require X-CSRF-Token; bearer and API-key clients are unaffected',
      '',
    ),
    item(
      'debug',
      !config.debug,
      'critical',
      config.debug ? 'debug is on (relaxed CORS, error details)' : 'debug is off',
      'unset FACTORY_DEBUG',
    ),
    item(
      'jwt_key_strength',
      app.keys.jwt.length >= 32,
      'critical',
      `HS256 key of ${app.keys.jwt.length * 8} bits, algorithm pinned`,
      'delete data/secrets/jwt_hs256.key to make a 256-bit key',
    ),
    item(
      'password_hashing',
      config.scryptLog2N >= 15,
      'warning',
      `scrypt N=2^${config.scryptLog2N}, r=8, p=1`,
      'set FACTORY_SCRYPT_LOG2N to 15 or more',
    ),
    item(
      'body_limit',
      config.maxBodyBytes <= 1024 * 1024,
      'info',
      `request bodies up to ${config.maxBodyBytes} bytes`,
      'lower FACTORY_MAX_BODY to 1048576',
    ),
    ...(await cdnStorage(app)),
    await secretsPersisted(config.dataDir),
    await bootstrapRotated(app),
  ];
  for (const check of extra) items.push(await check());
  if (!items.some((entry) => entry.id === 'firewall_enforce')) items.push(firewallEnforce(app));
  return items;
}
