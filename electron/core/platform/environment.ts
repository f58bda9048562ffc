/**
 * The console's environment variables. This is the only module of electron/core that
 * reads `process.env` (lint enforces it): everything else receives an
 * {@link Environment} object from its caller, so a test passes one instead of
 * changing the process's, and what a service depends on is visible in its options.
 */

/** Environment variables, read-only (the process's, or a test's object). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** This process's environment (the shells pass it in; services never call this). */
export function processEnvironment(): Environment {
  return process.env;
}

/** True when `env` is this process's own environment (whose fingerprint may be cached). */
export function isProcessEnvironment(env: Environment): boolean {
  return env === process.env;
}
