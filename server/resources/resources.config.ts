/**
 * Limits of the resource and machine routes, from the environment (issue 6), read
 * when the app is built. Invalid values refuse to start, naming the variable.
 */
import { z } from 'zod';
import { ConfigError } from '../config.ts';

export interface ResourcesConfig {
  /** `FACTORY_MAX_RESOURCE_BYTES`: largest plaintext a publisher may upload (default 4 GiB). */
  maxResourceBytes: number;
  /** `FACTORY_MAX_MACHINES_PER_USER`: active machines per account (default 3). */
  maxMachinesPerUser: number;
  /** `FACTORY_LEASE_DAYS`: how long a lease lets a machine open resources offline (default 30). */
  leaseDays: number;
}

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback);

const schema = z.object({
  FACTORY_MAX_RESOURCE_BYTES: integer(1, Number.MAX_SAFE_INTEGER, 4 * 1024 ** 3),
  FACTORY_MAX_MACHINES_PER_USER: integer(1, 1000, 3),
  FACTORY_LEASE_DAYS: integer(1, 3650, 30),
});

export function loadResourcesConfig(env: Record<string, string | undefined> = process.env): ResourcesConfig {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'FACTORY_*'), issue?.message ?? 'invalid');
  }
  return {
    maxResourceBytes: result.data.FACTORY_MAX_RESOURCE_BYTES,
    maxMachinesPerUser: result.data.FACTORY_MAX_MACHINES_PER_USER,
    leaseDays: result.data.FACTORY_LEASE_DAYS,
  };
}
