/**
 * Create-once files for exports: a target is checked (absolute, its folder exists, its name
 * unused), the export is written under a hidden staged name in the same folder, and it is placed
 * with a hard link, which fails if a file appeared at the target meanwhile; such a file is never
 * replaced. The vault export, the CLI's `unlock --out` and the audit export share these.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../../shared/common/errors.ts';
import { ConsoleError } from './console-error.ts';

/**
 * The checked absolute target; refuses relative paths, NUL bytes and names already in use.
 * The CLI's `unlock --out` checks its target with it too, before anything is downloaded.
 */
export async function checkExportTarget(target: string): Promise<string> {
  if (!path.isAbsolute(target) || target.includes('\0'))
    throw new ConsoleError(
      ErrorCode.BadRequest,
      'Give an absolute path for the export, for example /home/me/exports/manual.bin.',
    );
  const resolved = path.resolve(target);
  const folder = await fs.stat(path.dirname(resolved)).catch(() => undefined);
  if (!folder?.isDirectory())
    throw new ConsoleError(
      ErrorCode.BadRequest,
      `The folder ${path.dirname(resolved)} does not exist: create it or choose another path.`,
    );
  if (
    await fs.lstat(resolved).then(
      () => true,
      () => false,
    )
  )
    throw alreadyExists(resolved);
  return resolved;
}

function alreadyExists(target: string): ConsoleError {
  return new ConsoleError(
    ErrorCode.Conflict,
    `${target} already exists and is never overwritten: choose a new file name or move the old file.`,
  );
}

/** A hidden name in the target's folder for the export being written (same file system, so it links). */
export function stagedExportPath(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString('hex')}.export`,
  );
}

/** Moves the finished export to `target` without ever replacing a file that appeared there. */
export async function placeWithoutOverwrite(staged: string, target: string): Promise<void> {
  try {
    await fs.link(staged, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw alreadyExists(target);
    // File systems without hard links: the earlier existence check is all we can do.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
    if (
      await fs.lstat(target).then(
        () => true,
        () => false,
      )
    )
      throw alreadyExists(target);
    await fs.rename(staged, target);
    return;
  }
  await fs.rm(staged, { force: true });
}
