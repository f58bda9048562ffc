/**
 * First-run administrator (no default password; docs/SERVER.md §Start and configure): on an empty
 * database no account exists and none authenticates. The first start creates one
 * `super_admin` whose password comes from, in order:
 *
 * 1. `FACTORY_DEV_BOOTSTRAP_PASSWORD` (development only; `FACTORY_PROD` refuses it);
 * 2. an interactive prompt (the `serve` command on a terminal);
 * 3. otherwise a random password written once to `data/secrets/bootstrap_admin.txt`
 *    (mode 0600) — read it, sign in, change it, delete the file.
 *
 * Creation runs in one write transaction (`BEGIN IMMEDIATE`), so concurrent first
 * starts on one data directory create exactly one admin; the password file is written
 * inside that transaction, so a crash cannot leave an admin whose password nobody has.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/database.ts';
import { Role } from '../../shared/common/roles.ts';
import { createFileOnce, ensurePrivateDir } from '../secrets/secret-file.ts';
import { hashPassword } from './password.ts';

export const BOOTSTRAP_FILE = 'bootstrap_admin.txt';

export type BootstrapOutcome =
  { created: false } | { created: true; email: string; source: 'dev' | 'prompt' | 'file'; file?: string };

export interface BootstrapOptions {
  db: Db;
  dataDir: string;
  email: string;
  devPassword: string | undefined;
  /** Asks the operator (hidden, confirmed); absent when there is no terminal. */
  prompt: (() => Promise<string>) | undefined;
  scryptLog2N: number;
  /**
   * The first-run password need not be changed at first sign-in: the console's embedded
   * factory, whose console reads it from its owner-only folder (server/factory.ts).
   */
  keepPassword?: boolean;
}

/** Creates the first administrator if the database has no account. */
export async function ensureBootstrapAdmin(options: BootstrapOptions): Promise<BootstrapOutcome> {
  const { db } = options;
  const existing = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) return { created: false };

  const source = options.devPassword !== undefined ? 'dev' : options.prompt ? 'prompt' : 'file';
  const password =
    options.devPassword ?? (options.prompt ? await options.prompt() : randomBytes(18).toString('base64url'));
  const passwordHash = await hashPassword(password, options.scryptLog2N);
  const dir = path.join(options.dataDir, 'secrets');
  const file = path.join(dir, BOOTSTRAP_FILE);

  return db.transaction().execute(async (trx): Promise<BootstrapOutcome> => {
    // Re-check under the write lock: another first start may have won.
    const again = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (again) return { created: false };
    const now = new Date().toISOString();
    await trx
      .insertInto('users')
      .values({
        id: randomUUID(),
        email: options.email,
        password_hash: passwordHash,
        role: Role.SuperAdmin,
        disabled: 0,
        // A password the operator chose (prompt, development variable) is theirs; the one
        // in the file sits on disk for anyone who can read it: it must be changed first.
        must_change_password: source === 'file' && options.keepPassword !== true ? 1 : 0,
        bootstrap_password: source === 'prompt' ? 0 : 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    if (source !== 'file') return { created: true, email: options.email, source };
    await ensurePrivateDir(dir);
    // A file left by a start that crashed before commit belongs to no account.
    await fs.rm(file, { force: true });
    const content =
      '# Factory API first-run administrator. Sign in, change this password, then delete this file.\n' +
      `email: ${options.email}\npassword: ${password}\n`;
    if (!(await createFileOnce(file, content))) throw new Error(`${file} appeared during bootstrap`);
    return { created: true, email: options.email, source, file };
  });
}

/** Reads the password from the bootstrap file, if it is still there (prod guard, tests). */
export async function readBootstrapPassword(dataDir: string): Promise<string | undefined> {
  try {
    const text = await fs.readFile(path.join(dataDir, 'secrets', BOOTSTRAP_FILE), 'utf8');
    return /^password: (.+)$/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}
