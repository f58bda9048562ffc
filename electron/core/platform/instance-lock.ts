/**
 * One running console per console home and per data folder (docs/OPERATOR.md *Start the
 * console*). Two consoles on one folder would run two embedded factories on one database
 * and write one vault and one settings file from two processes. Each folder gets a
 * `console.lock` file holding the running console's pid, shell and address (never the
 * launch token); a lock whose pid is no longer alive is stale and is taken over, so a
 * console that was killed does not block the next start.
 *
 * Reading and writing the file happens under a short proper-lockfile lock
 * (`console.lock.guard`), so two consoles starting at the same moment cannot both see a
 * free folder.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { ErrorCode } from '../../../shared/common/errors.ts';
import { writeFileAtomic } from '../../../shared/node/atomic-file.ts';
import { ConsoleError } from './console-error.ts';

export const INSTANCE_LOCK_FILE = 'console.lock';

const holderSchema = z.object({
  pid: z.number().int().positive(),
  shell: z.string().max(40),
  /** The console's address without its token (http://127.0.0.1:PORT), or null while it starts. */
  url: z.string().max(200).nullable(),
  started_at: z.string().max(40),
});
export type InstanceHolder = z.infer<typeof holderSchema>;

/** The refusal of a second console: names the running one (pid, address) and the folder. */
export class ConsoleAlreadyRunningError extends ConsoleError {
  readonly holder: InstanceHolder;
  readonly folder: string;
  constructor(folder: string, holder: InstanceHolder) {
    super(
      ErrorCode.Conflict,
      `A Factory Console is already running on ${folder} (${holder.shell}, pid ${holder.pid}` +
        (holder.url ? `, at ${holder.url}` : ', still starting') +
        '). Use that one — open the address with #token=… that it printed — ' +
        `or stop it first (Ctrl-C in its terminal, or kill ${holder.pid}).`,
    );
    this.name = 'ConsoleAlreadyRunningError';
    this.holder = holder;
    this.folder = folder;
  }
}

export interface InstanceLock {
  readonly folders: readonly string[];
  /** Records the console's address (origin only: the token stays out of the file). */
  setUrl(url: string): Promise<void>;
  /** Removes the lock files that are still this process's. */
  release(): Promise<void>;
}

/** Whether a process with this pid exists (EPERM: it does, under another user). */
export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<InstanceHolder | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = holderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // a torn or foreign file holds nothing: it is replaced
  }
}

/** Runs `work` while no other process reads or writes this folder's lock file. */
async function guarded<T>(file: string, work: () => Promise<T>): Promise<T> {
  const release = await lockfile.lock(file, {
    realpath: false,
    lockfilePath: `${file}.guard`,
    stale: 5_000,
    retries: { retries: 25, minTimeout: 100, maxTimeout: 200, factor: 1 },
  });
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}

export interface AcquireInstanceLockInput {
  /** The console home and the data folder (the same folder counts once). */
  folders: readonly string[];
  shell: 'browser' | 'electron';
  pid?: number;
}

/**
 * Takes the lock of every folder or none: throws {@link ConsoleAlreadyRunningError} when a
 * live process holds one of them (the folders taken so far are released again).
 */
export async function acquireInstanceLock(input: AcquireInstanceLockInput): Promise<InstanceLock> {
  const pid = input.pid ?? process.pid;
  const folders = [...new Set(input.folders.map((folder) => path.resolve(folder)))].sort();
  let holder: InstanceHolder = { pid, shell: input.shell, url: null, started_at: new Date().toISOString() };
  const write = (file: string) => writeFileAtomic(file, `${JSON.stringify(holder)}\n`);
  const taken: string[] = [];
  const release = async () => {
    for (const file of taken) {
      await guarded(file, async () => {
        if ((await readHolder(file))?.pid === pid) await fs.rm(file, { force: true });
      }).catch(() => undefined);
    }
    taken.length = 0;
  };
  try {
    for (const folder of folders) {
      await fs.mkdir(folder, { recursive: true, mode: 0o700 });
      const file = path.join(folder, INSTANCE_LOCK_FILE);
      await guarded(file, async () => {
        const current = await readHolder(file);
        if (current && current.pid !== pid && pidIsAlive(current.pid))
          throw new ConsoleAlreadyRunningError(folder, current);
        await write(file);
      });
      taken.push(file);
    }
  } catch (error) {
    await release();
    throw error;
  }
  return {
    folders,
    async setUrl(url) {
      holder = { ...holder, url: new URL(url).origin };
      for (const file of taken) await guarded(file, () => write(file));
    },
    release,
  };
}
