/**
 * The audit log's Merkle tree (server/audit/audit-tree.ts): the stored subtree hashes,
 * backfilled from the existing entries in this migration, and a `root_hash` column on
 * checkpoints. Checkpoints signed before (their root line was the hash-chain head) keep
 * `root_hash` NULL: they stay as history and are never served or read as tree checkpoints.
 */
import type { Kysely, Migration } from 'kysely';
import { asTreeDb, rebuildAuditTree } from '../../audit/audit-tree.ts';

export const migration0020AuditTree: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('audit_tree_hashes')
      .addColumn('id', 'integer', (column) => column.primaryKey())
      .addColumn('hash', 'text', (column) => column.notNull())
      .execute();
    await db.schema.alterTable('audit_checkpoints').addColumn('root_hash', 'text').execute();
    // The migrator runs this in its transaction: the tree appears whole or not at all.
    await rebuildAuditTree(asTreeDb(db));
  },
};
