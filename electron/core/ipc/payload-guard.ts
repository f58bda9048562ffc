/**
 * Cheap structural checks before zod sees a payload (defence in depth at the
 * renderer trust boundary): it must be a plain JSON array of plain data, small, not
 * too deep, and free of keys that aim at prototypes. zod's strict objects would also
 * refuse those keys; refusing them here means no schema bug can ever let one through.
 */
import { fail, type Result } from '../../../shared/common/contract/result.ts';

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);
const maxDepth = 16;

/** Checks shape, size, depth and keys of an argument list; `ok` means zod may look at it. */
export function inspectPayload(payload: unknown, maxBytes: number): Result<true> {
  if (!Array.isArray(payload)) return fail('validation_failed', 'Arguments must be a list.');
  let serialised: string | undefined;
  try {
    serialised = JSON.stringify(payload);
  } catch {
    return fail('validation_failed', 'Arguments must be plain JSON data.');
  }
  if (serialised === undefined) return fail('validation_failed', 'Arguments must be plain JSON data.');
  if (Buffer.byteLength(serialised, 'utf8') > maxBytes) {
    return fail('payload_too_large', `Arguments exceed ${maxBytes} bytes.`);
  }
  const problem = walk(payload, 0);
  return problem ? fail('validation_failed', problem) : { ok: true, value: true };
}

function walk(value: unknown, depth: number): string | null {
  if (depth > maxDepth) return 'Arguments are nested too deeply.';
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = walk(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return 'Arguments must be plain objects.';
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== 'string') return 'Arguments must not use symbol keys.';
    if (forbiddenKeys.has(key)) return `Forbidden key "${key}" in arguments.`;
    const problem = walk((value as Record<string, unknown>)[key], depth + 1);
    if (problem) return problem;
  }
  return null;
}
