/**
 * Lifetime of API keys, from the environment (docs/SERVER.md), read with the rest of the
 * configuration. Invalid values refuse to start, naming the variable.
 */
import { z } from 'zod';
import { parseEnv } from '../config-env.ts';

/** Days a key lives when its creator states no lifetime (capped by the maximum). */
export const API_KEY_DEFAULT_DAYS = 90;

export interface ApiKeysConfig {
  /** `FACTORY_API_KEY_MAX_DAYS`: the longest lifetime a key may be given (default 365). */
  maxDays: number;
}

const schema = z.object({
  FACTORY_API_KEY_MAX_DAYS: z
    .string()
    .regex(/^\d+$/, 'expected a whole number of days')
    .transform(Number)
    .pipe(z.number().int().min(1).max(3650))
    .default(365),
});

export function loadApiKeysConfig(env: Record<string, string | undefined>): ApiKeysConfig {
  return { maxDays: parseEnv(schema, env, { emptyIsUnset: true }).FACTORY_API_KEY_MAX_DAYS };
}
