/**
 * The audit log's clean-shutdown marker becomes one row per instance (docs/DEPLOY.md,
 * Failure at start): `audit_instances` holds each instance's `running` / `clean` state under
 * its instance id (`FACTORY_INSTANCE_ID`, else the id kept in its data directory). The one
 * deployment-wide marker of before (`server_state` key `audit.shutdown`) moves here under the
 * empty id; the first instance that starts without a row of its own takes it over (see
 * server/audit/audit.plugin.ts), so an upgrade still reports the previous shutdown.
 * Plain schema builder and SQL: the same on SQLite and PostgreSQL.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const migration0055AuditInstanceMarker: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('audit_instances')
      .addColumn('instance_id', 'text', (column) => column.primaryKey())
      .addColumn('state', 'text', (column) => column.notNull())
      .addColumn('updated_at', 'text', (column) => column.notNull())
      .execute();
    const now = new Date().toISOString();
    await sql`insert into audit_instances (instance_id, state, updated_at)
      select '', value, ${now} from server_state where key = 'audit.shutdown'`.execute(db);
    await sql`delete from server_state where key = 'audit.shutdown'`.execute(db);
  },
};
