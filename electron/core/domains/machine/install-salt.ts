/**
 * The per-install salt (docs/ARCHITECTURE.md §The key hierarchy): 32 random bytes made once per console home.
 * It makes `hw_hash` differ between installs on the same hardware, so the server
 * cannot link installs and no table of hashes of common hardware can be precomputed.
 * Not secret, but kept 0600 with the rest of the home.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createFileOnce } from '../../../../shared/node/atomic-file.ts';
import { join } from 'node:path';
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { ConsoleError } from '../../platform/console-error.ts';

export const INSTALL_SALT_BYTES = 32;

/** The folder of the machine identity files inside the console home. */
export function machineDir(home: string): string {
  return join(home, 'machine');
}

/** `<home>/machine/install-salt`: 64 hex digits and a newline. */
export function installSaltPath(home: string): string {
  return join(machineDir(home), 'install-salt');
}

/** The install salt is damaged: a hand edit or a truncated write. */
export class InstallSaltError extends ConsoleError {
  constructor(path: string) {
    super(
      ErrorCode.IntegrityFailed,

      `The install salt ${path} is damaged (expected ${INSTALL_SALT_BYTES * 2} hex digits). ` +
        'Restore it from a backup, or delete it and re-activate this machine.',
    );
    this.name = 'InstallSaltError';
  }
}

/** Reads the install salt, or undefined when this home has none yet. */
export async function readInstallSalt(home: string): Promise<Buffer | undefined> {
  const path = installSaltPath(home);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const hex = text.trim();
  if (!/^[0-9a-f]+$/u.test(hex) || hex.length !== INSTALL_SALT_BYTES * 2) throw new InstallSaltError(path);
  return Buffer.from(hex, 'hex');
}

/**
 * The install salt, created on first use. Creation is atomic and race-free: the
 * salt is written whole to a private temp file, then hard-linked to its name, which
 * fails if another process won the race (then its salt is used).
 */
export async function loadOrCreateInstallSalt(home: string): Promise<Buffer> {
  const existing = await readInstallSalt(home);
  if (existing) return existing;
  const path = installSaltPath(home);
  await createFileOnce(path, `${randomBytes(INSTALL_SALT_BYTES).toString('hex')}\n`);
  const salt = await readInstallSalt(home);
  if (!salt) throw new InstallSaltError(path);
  return salt;
}
