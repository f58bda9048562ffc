/**
 * The audit chain's storage: one row per entry in `audit_entries` (seq is the primary
 * key, so keyset paging and range scans are index walks), signed checkpoints in
 * `audit_checkpoints`. Through the server's Kysely layer, so SQLite and PostgreSQL
 * both work; on SQLite every commit is WAL + `synchronous=FULL` (durable on return).
 */
import { sql } from 'kysely';
import {
  AUDIT_GENESIS_HASH,
  type AuditEntry,
  type AuditEventType,
  type AuditQuery,
} from '../../shared/common/audit-event.ts';
import {
  type CompactRange,
  consistencyProof,
  inclusionProof,
  storedHashCount,
  storedHashIndex,
  treeHash,
} from '../../shared/node/audit/merkle-tree.ts';
import { TILE_HEIGHT, TILE_WIDTH } from '../../shared/node/audit/tlog-tiles.ts';
import type { Db } from '../db/database.ts';
import {
  appendToTree,
  asTreeDb,
  hashReader,
  lineOfRow,
  rebuildAuditTree,
  storedHashes,
  truncateTree,
} from './audit-tree.ts';
import { withAuditTables, type AuditDb, type AuditEntriesTable } from './audit.tables.ts';
import { AUDIT_CHANNEL } from './audit-feed.ts';
import { isPostgres } from '../db/migrations/portable.ts';

/** A stored entry row (details as canonical JSON text). */
export type AuditRow = AuditEntriesTable;

/** A stored checkpoint (`root_hash` NULL: a legacy chain-head checkpoint, never served). */
export interface StoredCheckpoint {
  size: number;
  head_hash: string;
  root_hash: string | null;
  note: string;
  created_at: string;
}

/** The canonical JSONL line of a stored row (also the entry's Merkle leaf data). */
export const rowToLine: (row: AuditRow) => string = lineOfRow;

/** The API shape of a stored row. */
export function rowToEntry(row: AuditRow): AuditEntry {
  return {
    ...row,
    type: row.type as AuditEventType,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

/** `LIKE` pattern for a free-text search, with the wildcards in the query escaped. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** How often an append meets a retryable database error before its callers see it. */
const APPEND_ATTEMPTS = 5;

/** PostgreSQL's serialization_failure and deadlock_detected: the transaction may simply run again. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

/** The tree's right edge after a committed append, and the chain head it belongs to. */
interface KnownEdge {
  seq: number;
  hash: string;
  range: CompactRange;
}

export class AuditStore {
  private readonly db: AuditDb;
  private readonly raw: Db;
  /**
   * The right edge of the Merkle tree after this store's last committed append, so the next
   * append need not read it back. It is used only when the head read inside the next write
   * transaction is exactly its (seq, hash): the chain hash covers every entry before it, so the
   * entries — and the tree, which is derived from them — are the ones this edge was computed
   * over. Another instance's append, a quarantine or a rebuild changes the head (or clears
   * this), and the edge is read from the stored hashes again.
   */
  #edge: KnownEdge | undefined;

  constructor(db: Db) {
    this.raw = db;
    this.db = withAuditTables(db);
  }

  /** The newest entry's seq and hash, or undefined for an empty log. */
  async head(): Promise<{ seq: number; hash: string } | undefined> {
    return this.db
      .selectFrom('audit_entries')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /**
   * Extends the chain in one write transaction: `build` gets the committed head read
   * inside it (the transaction holds the write lock from its start), so several
   * processes sharing one database extend one chain instead of forking it. All rows
   * are durable when this resolves, or none. On PostgreSQL the transaction holds the
   * server's write lock (server/db/database.ts), so several instances serialise here; a
   * serialisation failure or deadlock is retried (`build` runs again on the new head),
   * and a writer that bypassed the lock would surface as a primary-key conflict on seq:
   * the batch is refused, never forked.
   */
  async appendChained(build: (head: { seq: number; hash: string } | undefined) => AuditRow[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.transactChained(() => Promise.resolve(undefined), build);
        return;
      } catch (error) {
        if (attempt >= APPEND_ATTEMPTS || !isRetryable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
      }
    }
  }

  /**
   * Runs `work` (a state change, on the transaction it is given) and then extends the
   * chain with the rows `build` makes, all in one transaction: the change and its
   * entries commit together, or — when `work` or `build` throws — neither does. Not
   * retried here (`work` is the caller's): a serialisation failure reaches the caller.
   */
  async transactChained<T>(
    work: (trx: Db) => Promise<T>,
    build: (head: { seq: number; hash: string } | undefined, value: T) => AuditRow[],
  ): Promise<T> {
    let edge: KnownEdge | undefined;
    const committed = await this.raw.transaction().execute(async (trx) => {
      const value = await work(trx);
      const audit = withAuditTables(trx);
      const head = await audit
        .selectFrom('audit_entries')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const rows = build(head, value);
      for (let start = 0; start < rows.length; start += 50) {
        await audit
          .insertInto('audit_entries')
          .values(rows.slice(start, start + 50))
          .execute();
      }
      // The entries' Merkle leaves and completed subtrees, in the same transaction.
      const last = rows.at(-1);
      if (last) {
        const size = head?.seq ?? 0;
        const known = this.#edge;
        const reusable =
          known !== undefined && known.seq === size && known.hash === (head?.hash ?? AUDIT_GENESIS_HASH);
        const range = await appendToTree(
          asTreeDb(audit),
          size,
          rows.map(rowToLine),
          reusable ? known.range : undefined,
        );
        edge = { seq: last.seq, hash: last.hash, range };
      }
      // Other instances' live tails (audit-feed.ts): PostgreSQL delivers this at commit only.
      if (rows.length > 0 && isPostgres(trx)) {
        await sql`select pg_notify(${AUDIT_CHANNEL}, ${String(rows.at(-1)!.seq)})`.execute(trx);
      }
      return value;
    });
    // Only once committed: a rolled-back append leaves the edge of the last committed one.
    if (edge !== undefined) this.#edge = edge;
    return committed;
  }

  /** The Merkle root (hex) of the first `size` entries, from stored hashes. */
  async treeRoot(size: number): Promise<string> {
    return (await treeHash(size, hashReader(asTreeDb(this.db)))).toString('hex');
  }

  /** The inclusion proof of entry `seq` in the tree of the first `size` entries. */
  async inclusionProof(seq: number, size: number): Promise<Buffer[]> {
    return inclusionProof(seq - 1, size, hashReader(asTreeDb(this.db)));
  }

  /** The consistency proof between the trees of the first `from` and `to` entries. */
  async consistencyProof(from: number, to: number): Promise<Buffer[]> {
    return consistencyProof(from, to, hashReader(asTreeDb(this.db)));
  }

  /** The hashes of a tlog tile: `width` hashes of tree level 8·level from index 256·index. */
  async tileHashes(level: number, index: number, width: number): Promise<Buffer[]> {
    const ids = Array.from({ length: width }, (_, offset) =>
      storedHashIndex(level * TILE_HEIGHT, index * TILE_WIDTH + offset),
    );
    return hashReader(asTreeDb(this.db))(ids);
  }

  /** Whether the stored tree covers exactly the stored entries; rebuilds it when not. */
  async repairTree(size: number): Promise<boolean> {
    if ((await storedHashes(asTreeDb(this.db))) === storedHashCount(size)) return false;
    this.#edge = undefined;
    await this.db.transaction().execute(async (trx) => rebuildAuditTree(asTreeDb(trx)));
    return true;
  }

  /** Rows with seq > after, ascending, at most `limit` (export and verification walk with this). */
  async rowsAfter(after: number, limit: number): Promise<AuditRow[]> {
    return this.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
  }

  /** The last `count` rows, ascending. */
  async tail(count: number): Promise<AuditRow[]> {
    const rows = await this.db
      .selectFrom('audit_entries')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(count)
      .execute();
    return rows.reverse();
  }

  /** One row by seq. */
  async at(seq: number): Promise<AuditRow | undefined> {
    return this.db.selectFrom('audit_entries').selectAll().where('seq', '=', seq).executeTakeFirst();
  }

  /** A keyset page: `after` (ascending) or `before` (descending) a seq, with filters. */
  async page(query: AuditQuery): Promise<AuditRow[]> {
    let select = this.filtered(query);
    if (query.offset !== undefined && query.offset > 0) select = select.offset(query.offset);
    if (query.order === 'asc') {
      if (query.after !== undefined) select = select.where('seq', '>', query.after);
      return select.orderBy('seq', 'asc').limit(query.limit).execute();
    }
    if (query.before !== undefined) select = select.where('seq', '<', query.before);
    if (query.after !== undefined) select = select.where('seq', '>', query.after);
    return select.orderBy('seq', 'desc').limit(query.limit).execute();
  }

  /** Entries matching the filters of `query` (keyset bound and offset ignored). */
  async count(query: AuditQuery): Promise<number> {
    const row = await this.filtered(query)
      .clearSelect()
      .select((eb) => eb.fn.countAll<number | string>().as('total'))
      .executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  private filtered(query: AuditQuery) {
    let select = this.db.selectFrom('audit_entries').selectAll();
    if (query.type !== undefined) select = select.where('type', '=', query.type);
    if (query.actor !== undefined) select = select.where('actor', '=', query.actor);
    if (query.since !== undefined) select = select.where('ts', '>=', new Date(query.since).toISOString());
    if (query.until !== undefined) select = select.where('ts', '<', new Date(query.until).toISOString());
    if (query.q !== undefined) {
      const pattern = likePattern(query.q);
      select = select.where((eb) =>
        eb.or(
          (['actor', 'resource', 'ip', 'request_id', 'type', 'details'] as const).map(
            (column) => sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`,
          ),
        ),
      );
    }
    return select;
  }

  /** The newest checkpoint of either kind (its `head_hash` is the chain hash at its size). */
  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** The newest tree checkpoint (legacy chain-head ones are history only). */
  async latestTreeCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('root_hash', 'is not', null)
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /**
   * Stores a checkpoint (idempotent per size). A tree checkpoint at the size of a legacy
   * chain-head one takes its row: the legacy note is superseded, never served again.
   */
  async saveCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    await this.db
      .insertInto('audit_checkpoints')
      .values(checkpoint)
      .onConflict((conflict) =>
        conflict
          .column('size')
          .doUpdateSet({
            root_hash: checkpoint.root_hash,
            note: checkpoint.note,
            created_at: checkpoint.created_at,
          })
          .where('audit_checkpoints.root_hash', 'is', null),
      )
      .execute();
  }

  /** The canonical lines of entries seq from…from+count-1 (an entry bundle's entries). */
  async lines(fromSeq: number, count: number): Promise<string[]> {
    const rows = await this.rowsAfter(fromSeq - 1, count);
    return rows.map(rowToLine);
  }

  /**
   * Moves rows from `fromSeq` on to `audit_quarantine` (kept, never deleted) in one
   * transaction, so the chain can continue from the last good entry.
   */
  async quarantineFrom(fromSeq: number, reason: string): Promise<number> {
    this.#edge = undefined;
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('audit_entries').selectAll().where('seq', '>=', fromSeq).execute();
      const now = new Date().toISOString();
      for (const row of rows) {
        await trx
          .insertInto('audit_quarantine')
          .values({ seq: row.seq, row_json: JSON.stringify(row), reason, quarantined_at: now })
          .execute();
      }
      await trx.deleteFrom('audit_entries').where('seq', '>=', fromSeq).execute();
      await truncateTree(asTreeDb(trx), fromSeq - 1);
      return rows.length;
    });
  }
}
