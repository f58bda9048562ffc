/**
 * Files that appear whole or not at all. Key files, activation records, vault items,
 * remembered checkpoints and server secrets are all written this way: a crash or a
 * concurrent writer leaves the old file or the new one, never a mix or a partial file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Mode of the file (default 0600: these files are private to the user). */
  mode?: number;
  /** Mode of a parent folder this call creates (default 0700). */
  dirMode?: number;
}

/**
 * A unique temp name beside `file` (same filesystem, so the rename or link is atomic).
 * node:crypto loads on the first write, not with this module: a command that only reads
 * (`status`) does not pay for it.
 */
async function temporaryBeside(file: string): Promise<string> {
  const { randomBytes } = await import('node:crypto');
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
}

async function writeSynced(file: string, content: string | Uint8Array, mode: number): Promise<void> {
  const handle = await fs.open(file, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `content` to `file` atomically: a complete, fsynced temp file renamed over it. */
export async function writeFileAtomic(
  file: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: options.dirMode ?? 0o700 });
  const temporary = await temporaryBeside(file);
  try {
    await writeSynced(temporary, content, options.mode ?? 0o600);
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Creates `file` with `content` only if it does not exist yet, race-free across
 * processes (a complete temp file hard-linked to the name, which fails if another
 * writer won). Returns true when this call created it.
 */
export async function createFileOnce(
  file: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<boolean> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: options.dirMode ?? 0o700 });
  const temporary = await temporaryBeside(file);
  try {
    await writeSynced(temporary, content, options.mode ?? 0o600);
    await fs.link(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }
}
