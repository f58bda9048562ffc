/**
 * One writer per vault item, across processes (docs/ARCHITECTURE.md §The console core): an
 * unlock stages its download in `staging/<id>/` and renames it into `items/<id>/`; two
 * at once would append to one staging file and commit a broken item. Each writer holds
 * a lock directory under `<console home>/vault/locks/` (proper-lockfile: created with
 * `mkdir`, which is atomic, and touched every few seconds). A lock whose holder died —
 * even by SIGKILL — stops being touched and is taken over once it is `STALE_MS` old.
 *
 * A second writer waits up to `waitMs` for the lock, then gives up with "an unlock of
 * NAME is in progress". The vault never depends on the lock alone: an item only ever
 * appears by a rename of a complete staging folder (vault.store.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { resourceIdSchema } from '../../../../shared/common/api/resources.ts';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { vaultDir } from './vault.store.ts';

/** A lock not touched for this long belongs to a process that is gone (touched every `STALE_MS / 5`). */
export const STALE_MS = 10_000;
/** How long a second unlock of the same item waits by default before it gives up. */
export const DEFAULT_WAIT_MS = 3_000;

export interface ItemLockOptions {
  /** The console home whose vault is written. */
  home: string;
  /** Resource ids and names that identify the item (each is locked; an id and a name of one item both). */
  keys: readonly string[];
  /** What the operator called the item, for the message. */
  label: string;
  waitMs?: number;
}

/** The lock file's name for a key: the resource id itself, or a digest of a name (any characters). */
function lockName(key: string): string {
  if (resourceIdSchema.safeParse(key).success) return `item-${key}`;
  return `name-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

function inProgress(label: string): ConsoleError {
  return new ConsoleError(
    ErrorCode.Conflict,
    `An unlock of ${label} is in progress (in this or another console process): wait for it to finish, then try again.`,
  );
}

/** Runs `work` while holding the lock of every key (taken in a fixed order, so two writers never deadlock). */
export async function withItemLock<T>(options: ItemLockOptions, work: () => Promise<T>): Promise<T> {
  const folder = path.join(vaultDir(options.home), 'locks');
  await fs.mkdir(folder, { recursive: true, mode: 0o700 });
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const step = 200;
  const names = [...new Set(options.keys.map(lockName))].sort();
  const releases: Array<() => Promise<void>> = [];
  try {
    for (const name of names) {
      try {
        releases.push(
          await lockfile.lock(path.join(folder, name), {
            realpath: false,
            stale: STALE_MS,
            update: STALE_MS / 5,
            retries: { retries: Math.ceil(waitMs / step), minTimeout: step, maxTimeout: step, factor: 1 },
            // A lock found taken over (this process stalled past STALE_MS) is not fatal here:
            // the commit is still one rename of a complete folder.
            onCompromised: () => undefined,
          }),
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw inProgress(options.label);
        throw error;
      }
    }
    return await work();
  } finally {
    for (const release of releases.reverse()) await release().catch(() => undefined);
  }
}
