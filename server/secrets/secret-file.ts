/**
 * Secret files under `data/secrets/` (dir 0700, files 0600). Created atomically — a
 * temporary file is written, synced, then hard-linked into place, which fails if
 * another process got there first — so concurrent first starts agree on one value
 * and nobody ever reads a half-written key.
 */
import fs from 'node:fs/promises';
import { createFileOnce } from '../../shared/node/atomic-file.ts';

export { createFileOnce };

export const SECRET_DIR_MODE = 0o700;
export const SECRET_FILE_MODE = 0o600;

/** Creates (or tightens) a directory for secrets: owner-only. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: SECRET_DIR_MODE });
  const stat = await fs.stat(dir);
  if ((stat.mode & 0o077) !== 0) await fs.chmod(dir, SECRET_DIR_MODE);
}

/**
 * Reads a secret file, creating it with `create()` on first use. Tightens a file that
 * someone made readable by others (and says so through `onLoosened`).
 */
export async function loadOrCreateSecret(
  file: string,
  create: () => string,
  onLoosened?: (file: string) => void,
): Promise<string> {
  try {
    const stat = await fs.stat(file);
    if ((stat.mode & 0o077) !== 0) {
      await fs.chmod(file, SECRET_FILE_MODE);
      onLoosened?.(file);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await createFileOnce(file, create());
  }
  return (await fs.readFile(file, 'utf8')).trim();
}
