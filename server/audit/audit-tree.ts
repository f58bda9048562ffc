/**
 * The audit log's Merkle tree in the database (docs/SECURITY.md, "The audit log as a
 * transparency log"): table `audit_tree_hashes` holds every complete subtree hash, keyed by its
 * storage number (merkle-tree.ts `storedHashIndex`), hex text so SQLite and PostgreSQL store it
 * alike. Leaf i is the canonical JSONL line of entry seq i+1. Appending n entries writes about
 * 2n hashes and reads the O(log n) hashes of the tree's right edge; proofs and tiles read O(log n)
 * hashes by primary key. The tree is derived data: {@link rebuildAuditTree} recomputes it from
 * the entries (the migration's backfill, and a repair if it ever disagrees with the entries).
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { isPostgres } from '../db/migrations/portable.ts';
import { appendHashMember, encodeUnhashed } from '../../shared/node/audit/audit-canonical.ts';
import {
  CompactRange,
  storedHashCount,
  storedHashIndex,
  type StoredHashReader,
  type SubtreeHash,
} from '../../shared/node/audit/merkle-tree.ts';
import type { AuditEventType } from '../../shared/common/audit-event.ts';
import type { AuditEntriesTable, AuditTreeHashesTable } from './audit.tables.ts';

/** The tree code needs only these two tables of whatever database or transaction it is given. */
export type TreeDb = Kysely<{ audit_tree_hashes: AuditTreeHashesTable; audit_entries: AuditEntriesTable }>;

/**
 * Views the server's database, a transaction or a migration's untyped handle as one with the
 * tree's tables (Kysely's database types are invariant, so a wider one does not convert).
 */
export function asTreeDb(db: object): TreeDb {
  return db as TreeDb;
}

/** The canonical JSONL line of a stored row: the tree's leaf data. */
export function lineOfRow(row: AuditEntriesTable): string {
  return appendHashMember(
    encodeUnhashed({ ...row, type: row.type as AuditEventType }, row.details),
    row.hash,
  );
}

const READ_CHUNK = 500;

/** Reads stored hashes by storage number; a missing one is an error (the tree lags its entries). */
export function hashReader(db: TreeDb): StoredHashReader {
  return async (indexes) => {
    const found = new Map<number, Buffer>();
    for (let start = 0; start < indexes.length; start += READ_CHUNK) {
      const chunk = indexes.slice(start, start + READ_CHUNK);
      if (chunk.length === 0) continue;
      const rows = await db
        .selectFrom('audit_tree_hashes')
        .select(['id', 'hash'])
        .where('id', 'in', chunk)
        .execute();
      for (const row of rows) found.set(Number(row.id), Buffer.from(row.hash, 'hex'));
    }
    return indexes.map((index) => {
      const hash = found.get(index);
      if (!hash) throw new Error(`the audit tree has no stored hash ${index}`);
      return hash;
    });
  };
}

const INSERT_CHUNK = 200;
/** The insert statements by dialect and row count (an append writes about two rows). */
const insertStatements = new Map<string, string>();

/**
 * `insert into audit_tree_hashes (id, hash) values (…), …` for `count` rows, as SQL text with
 * the dialect's placeholders. Built once per shape and run as a compiled query: the query builder
 * took about as long as SQLite's own work for the few rows of an append (append_per_s in
 * `npm run bench -- audit`).
 */
function insertStatement(postgres: boolean, count: number): string {
  const key = `${postgres ? 'pg' : 'sqlite'}:${count}`;
  let text = insertStatements.get(key);
  if (text === undefined) {
    const values = Array.from({ length: count }, (_, row) =>
      postgres ? `($${2 * row + 1}, $${2 * row + 2})` : '(?, ?)',
    );
    text = `insert into "audit_tree_hashes" ("id", "hash") values ${values.join(', ')}`;
    insertStatements.set(key, text);
  }
  return text;
}

async function insertHashes(db: TreeDb, nodes: readonly SubtreeHash[]): Promise<void> {
  const postgres = isPostgres(db);
  for (let start = 0; start < nodes.length; start += INSERT_CHUNK) {
    const chunk = nodes.slice(start, start + INSERT_CHUNK);
    const parameters: (number | string)[] = [];
    for (const node of chunk)
      parameters.push(storedHashIndex(node.level, node.index), node.hash.toString('hex'));
    await db.executeQuery(CompiledQuery.raw(insertStatement(postgres, chunk.length), parameters));
  }
}

/**
 * Adds `lines` as leaves after the first `size` leaves, inside the caller's transaction (the
 * same one that inserts their entries, so the tree and the entries commit together), and
 * returns the tree's new right edge. `known` is the right edge of these same first `size`
 * leaves if the caller has it (the store keeps the edge of its last committed append, keyed by
 * the chain head, see AuditStore.transactChained); it is not modified. Without it the edge is
 * read from the stored hashes (O(log n) reads by primary key).
 */
export async function appendToTree(
  db: TreeDb,
  size: number,
  lines: readonly string[],
  known?: CompactRange,
): Promise<CompactRange> {
  const edge =
    known !== undefined && known.start === 0 && known.end === size
      ? known.clone()
      : await CompactRange.ofTree(size, hashReader(db));
  if (lines.length === 0) return edge;
  const nodes: SubtreeHash[] = [];
  for (const line of lines) nodes.push(...edge.appendLeaf(line));
  await insertHashes(db, nodes);
  return edge;
}

/** Drops the hashes of leaves from `size` on (the quarantine moved those entries out). */
export async function truncateTree(db: TreeDb, size: number): Promise<void> {
  await db.deleteFrom('audit_tree_hashes').where('id', '>=', storedHashCount(size)).execute();
}

/** How many hashes are stored (equals storedHashCount(entries) when the tree is whole). */
export async function storedHashes(db: TreeDb): Promise<number> {
  const row = await db
    .selectFrom('audit_tree_hashes')
    .select((eb) => eb.fn.countAll<number | string>().as('total'))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

/** Recomputes the whole tree from the entries, in batches (constant memory besides the edge). */
export async function rebuildAuditTree(db: TreeDb): Promise<number> {
  await db.deleteFrom('audit_tree_hashes').execute();
  const edge = new CompactRange();
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_entries')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(5000)
      .execute();
    const nodes: SubtreeHash[] = [];
    for (const row of rows) {
      if (row.seq !== edge.end + 1) throw new Error(`audit entries have a gap before seq ${row.seq}`);
      nodes.push(...edge.appendLeaf(lineOfRow(row)));
    }
    await insertHashes(db, nodes);
    const last = rows.at(-1);
    if (!last) return edge.end;
    after = last.seq;
  }
}
