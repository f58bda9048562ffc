/**
 * Opens the Factory API's database and brings its schema up to date. SQLite under
 * `data/` by default; PostgreSQL when `FACTORY_DATABASE_URL` is set — the same Kysely
 * query layer serves both (docs/ARCHITECTURE.md §The Factory API).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, type Dialect, type MigrationProvider } from 'kysely';
import { NodeSqliteDialect } from './node-sqlite.dialect.ts';
import { migrations } from './migrations/index.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

async function createDialect(dataDir: string, databaseUrl: string | undefined): Promise<Dialect> {
  if (databaseUrl !== undefined) {
    const { default: pg } = await import('pg');
    return new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 10 }) });
  }
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'factory.sqlite');
  // The database holds password hashes: owner-only. SQLite gives -wal/-shm the same mode.
  await (await fs.open(file, 'a', 0o600)).close();
  return new NodeSqliteDialect(file);
}

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/** Opens the database and applies pending migrations; throws (naming the migration) if one fails. */
export async function openDatabase(dataDir: string, databaseUrl?: string): Promise<Db> {
  const db = new Kysely<Database>({ dialect: await createDialect(dataDir, databaseUrl) });
  const migrator = new Migrator({ db, provider, migrationTableName: 'schema_migrations' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, {
      cause: error,
    });
  }
  return db;
}
