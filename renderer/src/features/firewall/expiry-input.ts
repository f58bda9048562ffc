import { parseLocalInput } from '../../ui/format.ts';

export const expiryPassed = 'This time has passed: a rule can only expire in the future.';

export type ExpiryInput =
  { kind: 'empty' } | { kind: 'problem'; message: string } | { kind: 'time'; at: Date };

/**
 * A rule's expiry as typed (local time, docs/OPERATOR.md §Keyboard): nothing typed, a time
 * in the future, or what is wrong with it (unreadable, skipped by a daylight-saving change,
 * already past).
 */
export function readExpiry(text: string, now: number = Date.now()): ExpiryInput {
  const read = parseLocalInput(text);
  if (!read.ok)
    return read.reason === 'empty' ? { kind: 'empty' } : { kind: 'problem', message: read.message };
  if (read.date.getTime() <= now) return { kind: 'problem', message: expiryPassed };
  return { kind: 'time', at: read.date };
}
