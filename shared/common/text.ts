/**
 * Strings that can reach a signature or the audit log must have a canonical form:
 * RFC 8785 (and UTF-8) has none for a lone UTF-16 surrogate, so such a string is
 * refused where it enters, at the schema, before anything changes
 * (docs/SECURITY.md §Threat model and tests).
 */
import { z } from 'zod';

export const WELL_FORMED_MESSAGE = 'must be well-formed Unicode text (no lone UTF-16 surrogates)';

/** Whether `text` is well-formed UTF-16 (every surrogate in a pair). */
export function isWellFormedText(text: string): boolean {
  return text.isWellFormed();
}

/** `z.string()` that refuses lone surrogates; chain `.min()`, `.max()`, `.regex()` as usual. */
export function text() {
  return z.string().refine(isWellFormedText, WELL_FORMED_MESSAGE);
}

/**
 * Whether every string of a parsed JSON value, member names included, is well-formed,
 * walking at most `maxDepth` levels (deeper is refused too).
 */
export function jsonIsWellFormed(value: unknown, maxDepth = 64): boolean {
  if (typeof value === 'string') return isWellFormedText(value);
  if (value === null || typeof value !== 'object') return true;
  if (maxDepth <= 0) return false;
  if (Array.isArray(value)) return value.every((item) => jsonIsWellFormed(item, maxDepth - 1));
  for (const [key, item] of Object.entries(value)) {
    if (!isWellFormedText(key) || !jsonIsWellFormed(item, maxDepth - 1)) return false;
  }
  return true;
}
