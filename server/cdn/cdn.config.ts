/**
 * Where the CDN keeps big parts, from the environment (docs/SERVER.md §The CDN on S3):
 * the data directory by default, an S3-compatible bucket with `FACTORY_S3_BUCKET`.
 * Invalid values refuse to start, naming the variable.
 *
 * Credentials: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` when both are set, else the
 * SDK's default chain (instance role, shared config file). Secret: the key is held here
 * and in the S3 client only — it never reaches a log line, a response or the audit log.
 */
import { z } from 'zod';
import { ConfigError, parseEnv } from '../config-env.ts';

export interface S3CdnConfig {
  bucket: string;
  /** An S3-compatible endpoint (MinIO, Ceph, …); unset = AWS for `region`. */
  endpoint: string | undefined;
  region: string;
  /** `bucket` in the path instead of the host name (most S3-compatible servers need it). */
  forcePathStyle: boolean;
  /** Secret: never logged. Undefined = the SDK's default credential chain. */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Object lock retention (days, GOVERNANCE mode) on big parts; 0 = none. */
  objectLockDays: number;
}

export interface CdnConfig {
  /** Undefined = the local directory store under the data directory. */
  s3: S3CdnConfig | undefined;
  /** How long a download URL is valid (`FACTORY_CDN_URL_TTL_S`, default 600 s). */
  urlTtlMs: number;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['', '0', 'false', 'no', 'off']);

const schema = z.object({
  FACTORY_S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3–63 of a-z 0-9 . -)')
    .optional(),
  FACTORY_S3_ENDPOINT: z
    .string()
    .refine((value) => {
      try {
        const url = new URL(value);
        return (
          (url.protocol === 'https:' || url.protocol === 'http:') &&
          url.username === '' &&
          url.password === ''
        );
      } catch {
        return false;
      }
    }, 'expected an http(s):// URL without credentials, e.g. https://s3.example.com')
    .optional(),
  FACTORY_S3_REGION: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'expected a region name like eu-west-1')
    .default('us-east-1'),
  FACTORY_S3_FORCE_PATH_STYLE: z
    .string()
    .refine((value) => TRUE.has(value.toLowerCase()) || FALSE.has(value.toLowerCase()), 'expected 1 or 0')
    .transform((value) => TRUE.has(value.toLowerCase()))
    .default(false),
  FACTORY_S3_OBJECT_LOCK_DAYS: z.coerce.number().int('expected whole days').min(0).max(36500).default(0),
  FACTORY_CDN_URL_TTL_S: z.coerce
    .number()
    .int('expected whole seconds')
    .min(1)
    .max(7 * 24 * 3600)
    .default(600),
});

/** Reads the CDN's variables; throws {@link ConfigError} naming the first bad one. */
export function loadCdnConfig(env: Record<string, string | undefined>): CdnConfig {
  const data = parseEnv(schema, env, { emptyIsUnset: true });
  const urlTtlMs = data.FACTORY_CDN_URL_TTL_S * 1000;
  const s3Only = ['FACTORY_S3_ENDPOINT', 'FACTORY_S3_OBJECT_LOCK_DAYS'] as const;
  if (data.FACTORY_S3_BUCKET === undefined) {
    const stray = s3Only.find((name) => (env[name] ?? '') !== '');
    if (stray)
      throw new ConfigError(stray, 'is set but FACTORY_S3_BUCKET is not: set the bucket, or unset it');
    return { s3: undefined, urlTtlMs };
  }
  const accessKeyId = env['AWS_ACCESS_KEY_ID'] || undefined;
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'] || undefined;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ConfigError(
      accessKeyId === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY',
      'set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (the SDK default chain)',
    );
  }
  return {
    s3: {
      bucket: data.FACTORY_S3_BUCKET,
      endpoint: data.FACTORY_S3_ENDPOINT,
      region: data.FACTORY_S3_REGION,
      forcePathStyle: data.FACTORY_S3_FORCE_PATH_STYLE,
      credentials:
        accessKeyId !== undefined && secretAccessKey !== undefined
          ? { accessKeyId, secretAccessKey }
          : undefined,
      objectLockDays: data.FACTORY_S3_OBJECT_LOCK_DAYS,
    },
    urlTtlMs,
  };
}
