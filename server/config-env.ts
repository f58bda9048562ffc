/**
 * Reading `FACTORY_*` variables: the error that names the culprit, and validation of
 * the variables a schema lists. Apart from config.ts so that area settings (e.g.
 * auth/identity.config.ts) can use it without an import cycle.
 */
import type { z } from 'zod';

/** Raised on invalid configuration; `variable` names the culprit. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/**
 * Validates the environment variables a schema names (others are ignored); throws
 * {@link ConfigError} naming the first bad one. `emptyIsUnset`: `NAME=` means the default.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined>,
  options: { emptyIsUnset?: boolean } = {},
): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && !(options.emptyIsUnset && value === '')) input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'FACTORY_*'), issue?.message ?? 'invalid');
  }
  return result.data;
}
