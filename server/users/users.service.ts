/**
 * Accounts: creation, changes, deletion, password checks. Handlers call this; it
 * knows nothing of HTTP. Password hashes never leave this module except to storage.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { UsersTable } from '../db/schema.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { ROLES, type Role } from '../../shared/common/roles.ts';
import type { User } from '../../shared/common/api/users.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { ApiError } from '../errors.ts';

export function toRole(value: string): Role {
  return (ROLES as readonly string[]).includes(value) ? (value as Role) : 'none';
}

export function toPublicUser(row: UsersTable): User {
  return {
    id: row.id,
    email: row.email,
    role: toRole(row.role),
    disabled: row.disabled === 1,
    must_change_password: row.must_change_password === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export class UsersService {
  readonly #db: Db;
  readonly #log2N: number;
  /**
   * A hash of a random password at the configured cost, verified for unknown accounts so
   * that timing reveals nothing: made once, at the same N as every real hash.
   */
  readonly #dummy: Promise<string>;

  constructor(db: Db, scryptLog2N: number, dummy?: Promise<string>) {
    this.#db = db;
    this.#log2N = scryptLog2N;
    // Made at start, so the first unknown account does not pay for making it.
    this.#dummy = dummy ?? hashPassword(randomBytes(32).toString('base64url'), scryptLog2N);
  }

  /** The same service on `trx` (a change committed with its audit entry: `app.audit.transact`). */
  in(trx: Db): UsersService {
    return new UsersService(trx, this.#log2N, this.#dummy);
  }

  hash(password: string): Promise<string> {
    return hashPassword(password, this.#log2N);
  }

  async list(): Promise<User[]> {
    const rows = await this.#db
      .selectFrom('users')
      .selectAll()
      .orderBy('created_at')
      .orderBy('email')
      .execute();
    return rows.map(toPublicUser);
  }

  async get(id: string): Promise<UsersTable> {
    const row = await this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ApiError(ErrorCode.NotFound, 'no such user');
    return row;
  }

  /** Whether an account with this e-mail exists. */
  async exists(email: string): Promise<boolean> {
    return (
      (await this.#db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) !==
      undefined
    );
  }

  /**
   * Checks a sign-in. Returns the account only if it exists, is enabled and the
   * password matches; always spends one password verification.
   */
  async authenticate(email: string, password: string): Promise<UsersTable | undefined> {
    const row = await this.#db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    const matches = await verifyPassword(password, row?.password_hash ?? (await this.#dummy));
    return row && matches && row.disabled === 0 ? row : undefined;
  }

  /** Inserts an account whose password was hashed beforehand (hashing stays out of the write transaction). */
  async create(input: { email: string; passwordHash: string; role: Role }): Promise<UsersTable> {
    const now = new Date().toISOString();
    const row: UsersTable = {
      id: randomUUID(),
      email: input.email,
      password_hash: input.passwordHash,
      role: input.role,
      disabled: 0,
      must_change_password: 0,
      bootstrap_password: 0,
      created_at: now,
      updated_at: now,
    };
    const result = await this.#db
      .insertInto('users')
      .values(row)
      .onConflict((conflict) => conflict.column('email').doNothing())
      .executeTakeFirst();
    if (result.numInsertedOrUpdatedRows === 0n)
      throw new ApiError(ErrorCode.Conflict, 'an account with this e-mail exists');
    return row;
  }

  async update(
    id: string,
    patch: { role?: Role; disabled?: boolean; passwordHash?: string },
  ): Promise<UsersTable> {
    const values: Partial<UsersTable> = { updated_at: new Date().toISOString() };
    if (patch.role !== undefined) values.role = patch.role;
    if (patch.disabled !== undefined) values.disabled = patch.disabled ? 1 : 0;
    if (patch.passwordHash !== undefined) {
      values.password_hash = patch.passwordHash;
      values.must_change_password = 1;
      values.bootstrap_password = 0;
    }
    await this.#db.updateTable('users').set(values).where('id', '=', id).execute();
    return this.get(id);
  }

  async setOwnPassword(id: string, passwordHash: string): Promise<void> {
    await this.#db
      .updateTable('users')
      .set({
        password_hash: passwordHash,
        must_change_password: 0,
        bootstrap_password: 0,
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  async remove(id: string): Promise<void> {
    await this.#db.deleteFrom('users').where('id', '=', id).execute();
  }

  /** How many enabled accounts hold `role` (to refuse removing the last super admin). */
  async countEnabled(role: Role): Promise<number> {
    const row = await this.#db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('role', '=', role)
      .where('disabled', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Whether `password` verifies for `row` (change-password, prod guard). */
  verify(row: UsersTable, password: string): Promise<boolean> {
    return verifyPassword(password, row.password_hash);
  }
}
