/**
 * Limits of the resource and machine routes, from the environment (docs/SERVER.md), read
 * when the app is built. Invalid values refuse to start, naming the variable.
 */
import { z } from 'zod';
import { envInteger, parseEnv } from '../config.ts';

export interface ResourcesConfig {
  /** `FACTORY_MAX_RESOURCE_BYTES`: largest plaintext a publisher may upload (default 4 GiB). */
  maxResourceBytes: number;
  /** `FACTORY_MAX_MACHINES_PER_USER`: active machines per account (default 3). */
  maxMachinesPerUser: number;
  /** `FACTORY_LEASE_DAYS`: how long a lease lets a machine open resources offline (default 30). */
  leaseDays: number;
}

const schema = z.object({
  FACTORY_MAX_RESOURCE_BYTES: envInteger(1, Number.MAX_SAFE_INTEGER, 4 * 1024 ** 3),
  FACTORY_MAX_MACHINES_PER_USER: envInteger(1, 1000, 3),
  FACTORY_LEASE_DAYS: envInteger(1, 3650, 30),
});

export function loadResourcesConfig(env: Record<string, string | undefined> = process.env): ResourcesConfig {
  const data = parseEnv(schema, env, { emptyIsUnset: true });
  return {
    maxResourceBytes: data.FACTORY_MAX_RESOURCE_BYTES,
    maxMachinesPerUser: data.FACTORY_MAX_MACHINES_PER_USER,
    leaseDays: data.FACTORY_LEASE_DAYS,
  };
}
