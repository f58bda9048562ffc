/**
 * Configuration of the Factory API from `FACTORY_*` environment variables (docs/SERVER.md
 * §Start and configure: secure by default — every default below is the locked-down choice).
 * Invalid configuration refuses to start with a message naming the variable.
 */
import path from 'node:path';
import { z } from 'zod';
import { loadIdentityConfig, type IdentityConfig } from './auth/identity.config.ts';
import { loadCdnConfig, type CdnConfig } from './cdn/cdn.config.ts';
import { ConfigError, parseEnv } from './config-env.ts';
import { loadApiKeysConfig, type ApiKeysConfig } from './api-keys/api-keys.config.ts';

export { ConfigError, parseEnv };

export const TlsMode = { On: 'on', Off: 'off', Proxy: 'proxy' } as const;
export type TlsMode = (typeof TlsMode)[keyof typeof TlsMode];

/** The validated configuration. */
export interface ServerConfig {
  dataDir: string;
  host: string;
  port: number;
  tls: TlsMode;
  /** A configured certificate (PEM files); otherwise a first-run self-signed one under `data/tls/`. */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  debug: boolean;
  demoReadOnly: boolean;
  prod: boolean;
  /** Empty = same-origin only. `*` only with debug. */
  corsOrigins: string[];
  /** Empty = Host not checked (a posture warning). */
  trustedHosts: string[];
  /** Addresses/CIDRs of reverse proxies whose `X-Forwarded-*` headers are believed. */
  trustedProxies: string[];
  maxBodyBytes: number;
  /** `postgres://…` selects PostgreSQL; unset = SQLite under `dataDir`. */
  databaseUrl: string | undefined;
  /** `redis://…` shares the rate-limit buckets between instances; unset = per process. */
  redisUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bootstrapEmail: string;
  /** Development only: the first admin's password instead of a random one. `FACTORY_PROD` refuses it. */
  devBootstrapPassword: string | undefined;
  requestTimeoutMs: number;
  shutdownGraceMs: number;
  /** log2 of scrypt's N for new password hashes (r = 8, p = 1). */
  scryptLog2N: number;
  /** Second factors, passkeys, single sign-on (auth/identity.config.ts). */
  identity: IdentityConfig;
  /** Where big parts live and how long download URLs stay valid (cdn/cdn.config.ts). */
  cdn: CdnConfig;
  /** API key lifetimes (api-keys/api-keys.config.ts). */
  apiKeys: ApiKeysConfig;
}

const booleanWords: Record<string, boolean> = {
  '': false,
  '0': false,
  false: false,
  no: false,
  off: false,
  '1': true,
  true: true,
  yes: true,
  on: true,
};

const flag = z
  .string()
  .transform((value, context) => {
    const parsed = booleanWords[value.trim().toLowerCase()];
    if (parsed === undefined) {
      context.addIssue({ code: 'custom', message: 'expected 1/0, true/false, yes/no or on/off' });
      return z.NEVER;
    }
    return parsed;
  })
  .default(false);

const list = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

/** A whole-number environment variable in [min, max], `fallback` when unset. */
export const envInteger = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback);

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value === '' ? undefined : value));

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const origin = /^(https?:\/\/[a-z0-9.-]+(:\d{1,5})?|\*)$/i;
const hostName = /^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/i;

const schema = z.object({
  FACTORY_DATA_DIR: z.string().min(1).default('./data'),
  FACTORY_HOST: z.string().min(1).default('127.0.0.1'),
  FACTORY_PORT: envInteger(0, 65535, 8443),
  FACTORY_TLS: z.enum(['on', 'off', 'proxy']).default('on'),
  FACTORY_TLS_CERT: optionalText,
  FACTORY_TLS_KEY: optionalText,
  FACTORY_DEBUG: flag,
  FACTORY_DEMO_READONLY: flag,
  FACTORY_PROD: flag,
  FACTORY_CORS_ORIGINS: list.refine(
    (items) => items.every((item) => origin.test(item)),
    'expected comma-separated origins like https://app.example.com',
  ),
  FACTORY_TRUSTED_HOSTS: list.refine(
    (items) => items.every((item) => hostName.test(item)),
    'expected comma-separated host names like api.example.com',
  ),
  FACTORY_TRUSTED_PROXIES: list,
  FACTORY_MAX_BODY: envInteger(1024, 1024 * 1024 * 1024, 1024 * 1024),
  FACTORY_DATABASE_URL: optionalText.refine(
    (value) => value === undefined || /^postgres(ql)?:\/\//.test(value),
    'expected a postgres:// URL (unset = SQLite under FACTORY_DATA_DIR)',
  ),
  FACTORY_REDIS_URL: optionalText.refine(
    (value) => value === undefined || isRedisUrl(value),
    'expected a redis:// or rediss:// URL with a host (unset = per-process rate limits)',
  ),
  FACTORY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FACTORY_BOOTSTRAP_EMAIL: z
    .string()
    .regex(/^[^\s@]+@[^\s@]+$/, 'expected an e-mail-like login name')
    .default('admin@localhost'),
  FACTORY_DEV_BOOTSTRAP_PASSWORD: optionalText.refine(
    (value) => value === undefined || value.length >= 12,
    'must be at least 12 characters',
  ),
  FACTORY_REQUEST_TIMEOUT_MS: envInteger(1000, 600_000, 30_000),
  FACTORY_SHUTDOWN_GRACE_S: envInteger(0, 600, 10),
  FACTORY_SCRYPT_LOG2N: envInteger(14, 20, 15),
});

/** Reads and validates the configuration; throws {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const value = parseEnv(schema, env);
  if ((value.FACTORY_TLS_CERT === undefined) !== (value.FACTORY_TLS_KEY === undefined)) {
    throw new ConfigError(
      value.FACTORY_TLS_CERT === undefined ? 'FACTORY_TLS_CERT' : 'FACTORY_TLS_KEY',
      'set both FACTORY_TLS_CERT and FACTORY_TLS_KEY, or neither (a self-signed certificate is made)',
    );
  }
  if (value.FACTORY_CORS_ORIGINS.includes('*') && !value.FACTORY_DEBUG) {
    throw new ConfigError('FACTORY_CORS_ORIGINS', '`*` is allowed only with FACTORY_DEBUG=1');
  }
  return {
    dataDir: path.resolve(value.FACTORY_DATA_DIR),
    host: value.FACTORY_HOST,
    port: value.FACTORY_PORT,
    tls: value.FACTORY_TLS,
    tlsCertFile: value.FACTORY_TLS_CERT,
    tlsKeyFile: value.FACTORY_TLS_KEY,
    debug: value.FACTORY_DEBUG,
    demoReadOnly: value.FACTORY_DEMO_READONLY,
    prod: value.FACTORY_PROD,
    corsOrigins: value.FACTORY_CORS_ORIGINS,
    trustedHosts: value.FACTORY_TRUSTED_HOSTS.map((host) => host.toLowerCase()),
    trustedProxies: value.FACTORY_TRUSTED_PROXIES,
    maxBodyBytes: value.FACTORY_MAX_BODY,
    databaseUrl: value.FACTORY_DATABASE_URL,
    redisUrl: value.FACTORY_REDIS_URL,
    logLevel: value.FACTORY_LOG_LEVEL,
    bootstrapEmail: value.FACTORY_BOOTSTRAP_EMAIL.toLowerCase(),
    devBootstrapPassword: value.FACTORY_DEV_BOOTSTRAP_PASSWORD,
    requestTimeoutMs: value.FACTORY_REQUEST_TIMEOUT_MS,
    shutdownGraceMs: value.FACTORY_SHUTDOWN_GRACE_S * 1000,
    scryptLog2N: value.FACTORY_SCRYPT_LOG2N,
    identity: loadIdentityConfig(env),
    cdn: loadCdnConfig(env),
    apiKeys: loadApiKeysConfig(env),
  };
}

/** The configuration a test or the embedded default starts from: the defaults, with overrides. */
export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const loaded = loadConfig({});
  // A programmatic start (tests, the console's embedded loopback server) does not force
  // second factors; `factory-api serve` reads FACTORY_MFA_REQUIRED_ROLES (default admin,super_admin).
  return { ...loaded, identity: { ...loaded.identity, mfaRequiredRoles: [] }, ...overrides };
}
