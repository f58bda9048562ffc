/**
 * The fingerprint override file (`FACTORY_FINGERPRINT_FILE`): a JSON file of
 * components that replaces hardware collection, for tests and for diagnostics
 * ("would this key open on a machine with that GPU?").
 *
 * Trust boundary: the file is operator input. It is size-limited and validated
 * with zod; a malformed file is a clear error, never a silent fall-back to the
 * real hardware (which would make a diagnostic lie).
 *
 * ```json
 * { "components": { "cpu": "AMD Ryzen 9 7950X / 32 cores", "gpu": "NVIDIA GeForce RTX 4090", "machine_id": "…" } }
 * ```
 * A component left out, or `null`, is absent.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { COMPONENT_NAMES, type Components, type MissingComponent } from './components.ts';
import { normaliseComponentValue } from './fingerprint.normalise.ts';

export const FINGERPRINT_OVERRIDE_ENV = 'FACTORY_FINGERPRINT_FILE';

const MAX_OVERRIDE_BYTES = 64 * 1024;

/** The override file is missing, unreadable or malformed. */
export class FingerprintOverrideError extends ConsoleError {
  constructor(message: string) {
    super(ErrorCode.ValidationFailed, message);
    this.name = 'FingerprintOverrideError';
  }
}

/** Reads and validates an override file; values get the same normalisation as collected ones. */
export async function readFingerprintOverride(
  path: string,
): Promise<{ path: string; fingerprint: { components: Components; missing: MissingComponent[] } }> {
  const absolute = resolve(path);
  let text: string;
  try {
    const info = await stat(absolute);
    if (!info.isFile())
      throw new FingerprintOverrideError(`${FINGERPRINT_OVERRIDE_ENV}: ${absolute} is not a file`);
    if (info.size > MAX_OVERRIDE_BYTES) {
      throw new FingerprintOverrideError(`${FINGERPRINT_OVERRIDE_ENV}: ${absolute} is larger than 64 KiB`);
    }
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    if (error instanceof FingerprintOverrideError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new FingerprintOverrideError(`${FINGERPRINT_OVERRIDE_ENV}: cannot read ${absolute} (${code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FingerprintOverrideError(`${FINGERPRINT_OVERRIDE_ENV}: ${absolute} is not valid JSON`);
  }
  const { overrideSchema } = await import('./fingerprint-override.schema.ts');
  const parsed = overrideSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'file';
    throw new FingerprintOverrideError(
      `${FINGERPRINT_OVERRIDE_ENV}: ${absolute}: ${where}: ${issue?.message ?? 'invalid'} ` +
        `(expected {"components": {${COMPONENT_NAMES.map((name) => `"${name}"`).join(', ')}: string | null}})`,
    );
  }
  const components: Components = {};
  const missing: MissingComponent[] = [];
  for (const name of COMPONENT_NAMES) {
    const given = parsed.data.components[name];
    const value = typeof given === 'string' ? normaliseComponentValue(name, given) : '';
    if (value) components[name] = value;
    else missing.push({ name, reason: 'absent in the override file', failed: false });
  }
  return { path: absolute, fingerprint: { components, missing } };
}
