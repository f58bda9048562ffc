/** Published resources and activated machines. */
import type { Kysely, Migration } from 'kysely';

export const migration0006Resources: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('resources')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('version', 'text', (column) => column.notNull())
      .addColumn('manifest', 'text', (column) => column.notNull())
      .addColumn('signature', 'text', (column) => column.notNull())
      .addColumn('small_part', 'text', (column) => column.notNull())
      .addColumn('sealed_dek', 'text', (column) => column.notNull())
      .addColumn('cdn_object', 'text', (column) => column.notNull())
      .addColumn('publisher_id', 'text', (column) => column.notNull())
      .addColumn('created_at', 'text', (column) => column.notNull())
      .addUniqueConstraint('resources_name_version', ['name', 'version'])
      .execute();
    await db.schema
      .createTable('machines')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
      .addColumn('hw_hash', 'text', (column) => column.notNull())
      .addColumn('public_key', 'text', (column) => column.notNull())
      .addColumn('label', 'text', (column) => column.notNull())
      .addColumn('created_at', 'text', (column) => column.notNull())
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('machines_user').on('machines').column('user_id').execute();
  },
};
