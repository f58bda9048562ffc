/**
 * Opens the Factory API's database and brings its schema up to date. SQLite under
 * `data/` by default; PostgreSQL when `FACTORY_DATABASE_URL` is set — the same Kysely
 * query layer serves both (docs/ARCHITECTURE.md §The Factory API). How to run it on
 * PostgreSQL, and what is tested there: docs/SERVER.md §Running on PostgreSQL.
 *
 * One writer at a time, on both engines: the server's read-then-write transactions (the
 * audit chain's head, the first-run admin, sign-in failure counters, seat limits) are
 * written for SQLite's `BEGIN IMMEDIATE`, where a transaction holds the database's write
 * lock from its start. On PostgreSQL every transaction therefore takes one
 * transaction-scoped advisory lock right after `begin` ({@link WRITE_LOCK}), so several
 * instances on one database serialise their transactions exactly as several processes on
 * one SQLite file do, and each statement after the lock (READ COMMITTED) sees every
 * transaction committed before it. Reads outside transactions are not serialised.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  PostgresDriver,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type MigrationProvider,
  type PostgresDialectConfig,
  type TransactionSettings,
} from 'kysely';
import { classifyDatabaseError } from './database-errors.ts';
import { NodeSqliteDialect } from './node-sqlite.dialect.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

/** The advisory lock every PostgreSQL transaction holds: (`FACT` in ASCII, 1). */
export const WRITE_LOCK = [0x46414354, 1] as const;

/** PostgreSQL's driver, with the write lock taken at the start of every transaction. */
class SerialPostgresDriver extends PostgresDriver {
  override async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    await super.beginTransaction(connection, settings);
    await connection.executeQuery(
      CompiledQuery.raw(`select pg_advisory_xact_lock(${WRITE_LOCK[0]}, ${WRITE_LOCK[1]})`),
    );
  }
}

class SerialPostgresDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;

  constructor(config: PostgresDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new SerialPostgresDriver(this.#config);
  }
}

async function createDialect(dataDir: string, databaseUrl: string | undefined): Promise<Dialect> {
  if (databaseUrl !== undefined) {
    const { default: pg } = await import('pg');
    // A server that does not answer fails the connection after ten seconds, not never.
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 10_000 });
    // An idle connection that the server ends (a restart, a failover, an administrator's
    // pg_terminate_backend) emits 'error' on the pool; node-postgres has already dropped
    // it, and the next query opens a fresh one. Without a listener that event would crash
    // the process, so it is noted here and nothing else.
    pool.on('error', () => undefined);
    return new SerialPostgresDialect({ pool });
  }
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'factory.sqlite');
  // The database holds password hashes: owner-only. SQLite gives -wal/-shm the same mode.
  await (await fs.open(file, 'a', 0o600)).close();
  return new NodeSqliteDialect(file);
}

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/** The migrations a database has not applied yet (`factory-api doctor`); nothing is changed. */
export async function pendingMigrations(db: Db): Promise<{ applied: number; pending: string[] }> {
  const migrator = new Migrator({ db, provider, migrationTableName: 'schema_migrations' });
  const all = await migrator.getMigrations();
  return {
    applied: all.filter((migration) => migration.executedAt !== undefined).length,
    pending: all.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name),
  };
}

/** Connects without migrating (`factory-api doctor`): PostgreSQL at `databaseUrl`, else the SQLite file. */
export async function connectDatabase(dataDir: string, databaseUrl?: string): Promise<Db> {
  return new Kysely<Database>({ dialect: await createDialect(dataDir, databaseUrl) });
}

/**
 * Opens the database and applies pending migrations; throws (naming the migration) if one
 * fails, or a one-line error naming FACTORY_DATABASE_URL when PostgreSQL cannot be reached
 * or refuses the login (database-errors.ts).
 */
export async function openDatabase(dataDir: string, databaseUrl?: string): Promise<Db> {
  const db = new Kysely<Database>({ dialect: await createDialect(dataDir, databaseUrl) });
  const migrator = new Migrator({ db, provider, migrationTableName: 'schema_migrations' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    // Unreachable, or a refused user, password or database: one line naming the variable.
    const reason = databaseUrl === undefined ? undefined : classifyDatabaseError(error, databaseUrl);
    if (reason) throw reason;
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, {
      cause: error,
    });
  }
  return db;
}
