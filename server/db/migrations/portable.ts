/**
 * What a migration needs to say the same thing on SQLite and PostgreSQL. Kysely's schema
 * builder is portable except for generated keys: `autoIncrement()` compiles to SQLite's
 * `autoincrement` (and MySQL's `auto_increment`), which PostgreSQL rejects; there the
 * column is `serial` (an integer with a sequence default). Applied migrations keep their
 * SQLite output byte for byte, so existing files migrate exactly as before.
 */
import { PostgresAdapter, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely } from 'kysely';

/** Whether `db` (a migration's handle, a transaction or the server's database) talks to PostgreSQL. */
export function isPostgres(db: { getExecutor(): { readonly adapter: unknown } }): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Adds an integer primary key the database numbers itself (`serial` on PostgreSQL). */
export function addGeneratedId<T extends string, C extends string>(
  db: Kysely<unknown>,
  table: CreateTableBuilder<T, C>,
  name: string,
): CreateTableBuilder<T, C> {
  return isPostgres(db)
    ? table.addColumn(name, 'serial', (column: ColumnDefinitionBuilder) => column.primaryKey())
    : table.addColumn(name, 'integer', (column: ColumnDefinitionBuilder) =>
        column.primaryKey().autoIncrement(),
      );
}
