/** The audit chain, its signed checkpoints, firewall rules and rate-limit settings. */
import type { Kysely, Migration } from 'kysely';
import { addGeneratedId } from './portable.ts';

export const migration0005AuditFirewall: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('audit_entries')
      .addColumn('seq', 'integer', (column) => column.primaryKey())
      .addColumn('ts', 'text', (column) => column.notNull())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('actor', 'text')
      .addColumn('resource', 'text')
      .addColumn('ip', 'text')
      .addColumn('request_id', 'text')
      // Canonical JSON (RFC 8785 rules), stored as hashed so pages and exports never re-sort.
      .addColumn('details', 'text', (column) => column.notNull())
      .addColumn('prev_hash', 'text', (column) => column.notNull())
      .addColumn('hash', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('audit_entries_type_seq')
      .on('audit_entries')
      .columns(['type', 'seq'])
      .execute();
    await db.schema
      .createIndex('audit_entries_actor_seq')
      .on('audit_entries')
      .columns(['actor', 'seq'])
      .execute();
    await db.schema.createIndex('audit_entries_ts').on('audit_entries').column('ts').execute();
    await db.schema
      .createTable('audit_checkpoints')
      .addColumn('size', 'integer', (column) => column.primaryKey())
      .addColumn('head_hash', 'text', (column) => column.notNull())
      .addColumn('note', 'text', (column) => column.notNull())
      .addColumn('created_at', 'text', (column) => column.notNull())
      .execute();
    // Rows a start-up recovery could not verify at the tail: kept, never deleted.
    await addGeneratedId(db, db.schema.createTable('audit_quarantine'), 'id')
      .addColumn('seq', 'integer', (column) => column.notNull())
      .addColumn('row_json', 'text', (column) => column.notNull())
      .addColumn('reason', 'text', (column) => column.notNull())
      .addColumn('quarantined_at', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('firewall_rules')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('action', 'text', (column) => column.notNull())
      .addColumn('cidr', 'text', (column) => column.notNull())
      .addColumn('note', 'text')
      .addColumn('expires_at', 'text')
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'text', (column) => column.notNull())
      .addColumn('updated_at', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('firewall_settings')
      .addColumn('key', 'text', (column) => column.primaryKey())
      .addColumn('value', 'text', (column) => column.notNull())
      .execute();
  },
};
