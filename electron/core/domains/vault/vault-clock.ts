/**
 * Clock set back detection (docs/ARCHITECTURE.md §The offline vault): the console remembers the latest time it
 * saw (`vault/clock.json`) and refuses offline opening when the system clock is
 * behind it by more than a small tolerance (clock adjustments by NTP are seconds).
 * Without this, turning the clock back would revive an expired lease.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { writeFileAtomic } from '../../../../shared/node/atomic-file.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { vaultDir } from './vault.store.ts';

export const CLOCK_TOLERANCE_MS = 5 * 60 * 1000;

function clockPath(home: string): string {
  return path.join(vaultDir(home), 'clock.json');
}

/** The latest time seen, in ms since the epoch (0 when never recorded). */
export async function lastSeen(home: string): Promise<number> {
  try {
    const json = JSON.parse(await fs.readFile(clockPath(home), 'utf8')) as { last_seen?: unknown };
    const value = typeof json.last_seen === 'string' ? Date.parse(json.last_seen) : NaN;
    // A damaged clock file must not open the door: treat it as "far in the future".
    return Number.isNaN(value) ? Number.MAX_SAFE_INTEGER : value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    return Number.MAX_SAFE_INTEGER;
  }
}

/** Refuses when `now` is behind the latest time seen; otherwise records `now` if it is later. */
export async function checkAndRecordClock(home: string, now: number = Date.now()): Promise<void> {
  const seen = await lastSeen(home);
  if (now + CLOCK_TOLERANCE_MS < seen) {
    throw new ConsoleError(
      ErrorCode.ClockSetBack,
      `The system clock (${new Date(now).toISOString()}) is behind the last time this console saw ` +
        `(${seen === Number.MAX_SAFE_INTEGER ? 'unknown: the clock record is damaged' : new Date(seen).toISOString()}). ` +
        'Set the clock right, or unlock online.',
    );
  }
  if (now > seen)
    await writeFileAtomic(clockPath(home), `${JSON.stringify({ last_seen: new Date(now).toISOString() })}\n`);
}
