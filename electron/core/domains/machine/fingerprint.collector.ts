/**
 * Collects the machine fingerprint: every hardware source concurrently (hardware-sources.ts),
 * each under its own timeout, the whole under a budget; once per process, cached.
 * A source that throws or hangs makes its components absent with a reason; the
 * collection itself never throws for hardware trouble and never hangs the UI.
 */
import type { Components, MissingComponent } from './components.ts';
import { readFingerprintOverride, FINGERPRINT_OVERRIDE_ENV } from './fingerprint-override.ts';
import { normaliseHardware } from './fingerprint.normalise.ts';
import {
  SOURCE_NAMES,
  hardwareSources,
  type RawHardware,
  type SourceCollectors,
  type SourceName,
} from './hardware-sources.ts';
import { processEnvironment, isProcessEnvironment } from '../../platform/environment.ts';

/** Per-source timeout: systeminformation spawns tools (lspci, dmidecode, wmic) that can stall. */
export const SOURCE_TIMEOUT_MS = 1500;
/** Budget of the whole collection; sources run concurrently, so this is a ceiling, not a sum. */
export const COLLECTION_BUDGET_MS = 2000;

/**
 * Per-source timeout in milliseconds, for slow or heavily loaded machines (and for
 * tests that check values, not timing). The budget grows with it.
 */
export const FINGERPRINT_TIMEOUT_ENV = 'FACTORY_FINGERPRINT_TIMEOUT_MS';

/** The timeouts from the environment, or a warning when the value is not usable. */
function timeoutsFrom(
  env: Readonly<Record<string, string | undefined>>,
  options: CollectOptions,
  warnings: string[],
): CollectOptions {
  const text = env[FINGERPRINT_TIMEOUT_ENV]?.trim();
  if (!text || options.sourceTimeoutMs !== undefined) return options;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 100 || ms > 60_000) {
    warnings.push(
      `${FINGERPRINT_TIMEOUT_ENV}=${text} is not an integer from 100 to 60000: using ${SOURCE_TIMEOUT_MS} ms.`,
    );
    return options;
  }
  return {
    ...options,
    sourceTimeoutMs: ms,
    budgetMs: Math.max(options.budgetMs ?? COLLECTION_BUDGET_MS, ms),
  };
}

/** A collected (or overridden) fingerprint. Component values are identifying: do not log them. */
export interface Fingerprint {
  /** Normalised values of the components found. */
  components: Components;
  /** Components not found, each with why. */
  missing: MissingComponent[];
  /** Wall-clock time of the collection in milliseconds. */
  elapsedMs: number;
  /** Set when the components came from FACTORY_FINGERPRINT_FILE instead of the hardware. */
  override?: { path: string };
  /** Things the operator must see (override in use, override refused). Already written to stderr. */
  warnings: string[];
}

/** How to collect; every field is optional and the defaults are the product's. */
export interface CollectOptions {
  /** Replaces some or all collectors (tests inject slow or failing ones). */
  sources?: Partial<SourceCollectors>;
  sourceTimeoutMs?: number;
  budgetMs?: number;
  /** Environment to read FACTORY_FINGERPRINT_FILE from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * True in the packaged Electron app (electron/main passes `app.isPackaged`).
   * There the override file is refused, so that an environment variable cannot
   * silently re-bind an installed console to made-up hardware.
   */
  isPackaged?: boolean;
  /** Where warnings go (default: stderr). */
  warn?: (message: string) => void;
}

function withTimeout<T>(run: () => Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    // A hung tool must not keep the CLI's process alive once the answer is printed.
    timer.unref();
    Promise.resolve()
      .then(run)
      .then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
  });
}

/** Reads every source concurrently; failures and timeouts are recorded, never thrown. */
export async function collectRawHardware(options: CollectOptions = {}): Promise<RawHardware> {
  const collectors: SourceCollectors = { ...hardwareSources(), ...options.sources };
  const timeout = Math.min(
    options.sourceTimeoutMs ?? SOURCE_TIMEOUT_MS,
    options.budgetMs ?? COLLECTION_BUDGET_MS,
  );
  const raw: RawHardware = { sources: {}, failures: {} };
  await Promise.all(
    SOURCE_NAMES.map(async (name: SourceName) => {
      try {
        const value = await withTimeout(collectors[name] as () => Promise<unknown>, timeout);
        (raw.sources as Record<SourceName, unknown>)[name] = value;
      } catch (error) {
        raw.failures[name] = error instanceof Error ? error.message : 'failed';
      }
    }),
  );
  return raw;
}

/**
 * Collects a fresh fingerprint (no cache): the override file when set and allowed,
 * else the hardware. Throws only for a malformed override file, which is an
 * operator error that must not silently fall back to the real hardware.
 */
export async function collectFingerprint(options: CollectOptions = {}): Promise<Fingerprint> {
  const started = performance.now();
  const env = options.env ?? processEnvironment();
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  const warnings: string[] = [];
  const overridePath = env[FINGERPRINT_OVERRIDE_ENV]?.trim();
  if (overridePath && options.isPackaged) {
    warnings.push(
      `${FINGERPRINT_OVERRIDE_ENV} is set but ignored: the packaged app always reads the hardware.`,
    );
  } else if (overridePath) {
    const override = await readFingerprintOverride(overridePath);
    warnings.push(
      `${FINGERPRINT_OVERRIDE_ENV} is set: the fingerprint comes from ${override.path}, not from this machine's hardware.`,
    );
    for (const message of warnings) warn(message);
    return {
      ...override.fingerprint,
      elapsedMs: performance.now() - started,
      override: { path: override.path },
      warnings,
    };
  }
  const collect = timeoutsFrom(env, options, warnings);
  for (const message of warnings) warn(message);
  const { components, missing } = normaliseHardware(await collectRawHardware(collect));
  return { components, missing, elapsedMs: performance.now() - started, warnings };
}

let cached: Promise<Fingerprint> | undefined;

/**
 * The fingerprint of this process: collected on first call, then the same promise
 * for every caller. Options count on the first call only (electron/main calls it
 * first, with `isPackaged`). A malformed override file is not cached, so fixing it
 * and asking again works.
 */
export function getFingerprint(options: CollectOptions = {}): Promise<Fingerprint> {
  if (!cached) {
    const pending = collectFingerprint(options);
    cached = pending;
    pending.catch(() => {
      if (cached === pending) cached = undefined;
    });
  }
  return cached;
}

/**
 * This machine's fingerprint: the process's cached one for the process environment;
 * a fresh collection for an explicit environment (tests, diagnostics).
 */
export function fingerprintFor(env: Readonly<Record<string, string | undefined>>) {
  return isProcessEnvironment(env)
    ? getFingerprint({ env })
    : collectFingerprint({ env, warn: () => undefined });
}
