/**
 * A Kysely dialect over Node's built-in `node:sqlite` (`DatabaseSync`).
 *
 * Hand-written because Kysely's own SqliteDialect expects a better-sqlite3-like
 * database (`statement.reader`, array parameters), and better-sqlite3 is a native
 * module that cannot be built here. This driver is small on purpose: one connection
 * guarded by a mutex (SQLite serialises writers anyway), a bounded cache of prepared
 * statements, `BEGIN IMMEDIATE` so a transaction takes the write lock up front (two
 * processes on one file wait on `busy_timeout` instead of failing at commit), and an
 * adapter that reports SQLite's transactional DDL so migrations run in one transaction.
 */
import { resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

type SqliteValue = null | number | bigint | string | Uint8Array;

/** node:sqlite binds only null, numbers, bigints, strings and bytes. */
function toSqliteValue(value: unknown): SqliteValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`cannot bind a ${typeof value} to SQLite`);
}

const STATEMENT_CACHE_SIZE = 256;

class NodeSqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, { statement: StatementSync; reader: boolean }>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #prepare(sql: string): { statement: StatementSync; reader: boolean } {
    let cached = this.#statements.get(sql);
    if (!cached) {
      const statement = this.#db.prepare(sql);
      // `reader` in better-sqlite3 terms: the statement returns rows.
      cached = { statement, reader: statement.columns().length > 0 };
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
      this.#statements.set(sql, cached);
    }
    return cached;
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { statement, reader } = this.#prepare(compiledQuery.sql);
    const parameters = compiledQuery.parameters.map(toSqliteValue);
    if (reader) {
      return Promise.resolve({ rows: statement.all(...parameters) as R[] });
    }
    const { changes, lastInsertRowid } = statement.run(...parameters);
    return Promise.resolve({
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
      rows: [],
    });
  }

  // eslint-disable-next-line require-yield -- streaming is not used by the server; refuse clearly.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streamQuery is not supported by the node:sqlite driver');
  }
}

/** Serialises use of the single connection. */
class ConnectionMutex {
  #promise: Promise<void> | undefined;
  #resolve: (() => void) | undefined;

  async lock(): Promise<void> {
    while (this.#promise) await this.#promise;
    this.#promise = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  unlock(): void {
    const resolve = this.#resolve;
    this.#promise = undefined;
    this.#resolve = undefined;
    resolve?.();
  }
}

/**
 * One mutex per database file, shared by every driver in this process: DatabaseSync
 * blocks the thread while it waits for a lock, so two connections of one process
 * must never wait on each other inside SQLite (the holder could not run to release
 * it). Other processes are handled by SQLite's own locking and `busy_timeout`.
 */
const fileMutexes = new Map<string, ConnectionMutex>();
function mutexFor(file: string): ConnectionMutex {
  let mutex = fileMutexes.get(file);
  if (!mutex) {
    mutex = new ConnectionMutex();
    fileMutexes.set(file, mutex);
  }
  return mutex;
}

class NodeSqliteDriver implements Driver {
  readonly #path: string;
  readonly #mutex: ConnectionMutex;
  #db: DatabaseSync | undefined;
  #connection: NodeSqliteConnection | undefined;

  constructor(path: string) {
    this.#path = path;
    this.#mutex = mutexFor(resolve(path));
  }

  async init(): Promise<void> {
    await this.#mutex.lock();
    try {
      this.#open();
    } finally {
      this.#mutex.unlock();
    }
  }

  #open(): void {
    const db = new DatabaseSync(this.#path, { timeout: 10_000 });
    // Durability first (docs/SECURITY.md §Audit log): WAL with synchronous=FULL survives power loss
    // after commit; foreign keys are off by default in SQLite.
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;');
    this.#db = db;
    this.#connection = new NodeSqliteConnection(db);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    if (!this.#connection) throw new Error('the database is closed');
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN IMMEDIATE'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    await this.#mutex.lock();
    this.#db?.close();
    this.#db = undefined;
    this.#connection = undefined;
    this.#mutex.unlock();
  }
}

/** SQLite runs DDL inside transactions, so a migration either fully applies or not at all. */
class NodeSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** The dialect: `new Kysely({ dialect: new NodeSqliteDialect(file) })`. */
export class NodeSqliteDialect implements Dialect {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  createDriver(): Driver {
    return new NodeSqliteDriver(this.#path);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new NodeSqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
