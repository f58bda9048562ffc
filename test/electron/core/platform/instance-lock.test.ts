/**
 * The console's instance lock (electron/core/platform/instance-lock.ts) on real folders:
 * a live holder refuses the next console and is named; a dead holder's lock (its pid
 * is gone) is taken over; a torn file holds nothing; release removes only one's own lock.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConsoleAlreadyRunningError,
  INSTANCE_LOCK_FILE,
  acquireInstanceLock,
} from '../../../../electron/core/platform/instance-lock.ts';

let folder = '';
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'instance-lock-'));
});
afterEach(async () => rm(folder, { recursive: true, force: true }));

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('console instance lock', () => {
  it('refuses a second console while the first lives, naming its pid and address, in every folder', async () => {
    const home = join(folder, 'home');
    const first = await acquireInstanceLock({ folders: [folder, home], shell: 'browser' });
    await first.setUrl('http://127.0.0.1:4567/#token=secret-token-value');
    const written = await readFile(join(home, INSTANCE_LOCK_FILE), 'utf8');
    expect(JSON.parse(written)).toMatchObject({ pid: process.pid, url: 'http://127.0.0.1:4567' });
    expect(written).not.toContain('secret-token-value');

    // Another process (another pid) on the home alone is refused too.
    const refused = acquireInstanceLock({ folders: [home], shell: 'electron', pid: process.pid + 1 });
    await expect(refused).rejects.toBeInstanceOf(ConsoleAlreadyRunningError);
    await expect(refused).rejects.toThrow(`pid ${process.pid}, at http://127.0.0.1:4567)`);

    await first.release();
    const next = await acquireInstanceLock({ folders: [home], shell: 'electron', pid: process.pid + 1 });
    await next.release();
  });

  it('takes over the lock of a console whose process is gone, and a torn lock file', async () => {
    const pid = deadPid();
    await writeFile(
      join(folder, INSTANCE_LOCK_FILE),
      JSON.stringify({ pid, shell: 'browser', url: 'http://127.0.0.1:1', started_at: 'x' }),
    );
    const lock = await acquireInstanceLock({ folders: [folder], shell: 'browser' });
    expect(JSON.parse(await readFile(join(folder, INSTANCE_LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    await lock.release();

    await writeFile(join(folder, INSTANCE_LOCK_FILE), '{"pid": 12');
    const again = await acquireInstanceLock({ folders: [folder], shell: 'browser' });
    await again.release();
  });

  it('two consoles starting at once: exactly one gets the folder; release leaves another holder alone', async () => {
    const results = await Promise.allSettled(
      [process.pid, process.ppid].map((pid) =>
        acquireInstanceLock({ folders: [folder], shell: 'browser', pid }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((result) => result.status === 'rejected')).toHaveLength(1);
    const winner = results.find((result) => result.status === 'fulfilled')!.value;
    // The file now names another live console (as after a takeover): release leaves it.
    const holder = JSON.parse(await readFile(join(folder, INSTANCE_LOCK_FILE), 'utf8')).pid as number;
    const other = holder === process.pid ? process.ppid : process.pid;
    await writeFile(
      join(folder, INSTANCE_LOCK_FILE),
      JSON.stringify({ pid: other, shell: 'browser', url: null, started_at: 'x' }),
    );
    await winner.release();
    expect(JSON.parse(await readFile(join(folder, INSTANCE_LOCK_FILE), 'utf8')).pid).toBe(other);
  });
});
