/**
 * Migration 0055 on a database with the deployment-wide clean-shutdown marker of before:
 * the row moves to `audit_instances` under the empty id (the first instance without a
 * marker of its own takes it over: test/server/audit/audit-instance-marker.test.ts) and
 * leaves `server_state`; other state stays.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeSqliteDialect } from '../../../../server/db/node-sqlite.dialect.ts';
import { migrations } from '../../../../server/db/migrations/index.ts';

let dir: string;
let db: Kysely<Record<string, Record<string, unknown>>>;

function migrator(names: (name: string) => boolean): Migrator {
  const chosen = Object.fromEntries(Object.entries(migrations).filter(([name]) => names(name)));
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(chosen) },
    migrationTableName: 'schema_migrations',
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'migration-0055-'));
  db = new Kysely({ dialect: new NodeSqliteDialect(path.join(dir, 'factory.sqlite')) });
  const before = await migrator((name) => name < '0055').migrateToLatest();
  if (before.error) throw before.error;
  await db
    .insertInto('server_state')
    .values([
      { key: 'audit.shutdown', value: 'running' },
      { key: 'other', value: 'kept' },
    ])
    .execute();
  const after = await migrator(() => true).migrateToLatest();
  if (after.error) throw after.error;
});
afterAll(async () => {
  await db?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('migration 0055 (clean-shutdown marker per instance)', () => {
  it('moves the deployment-wide marker under the empty instance id', async () => {
    const rows = await db.selectFrom('audit_instances').select(['instance_id', 'state']).execute();
    expect(rows).toEqual([{ instance_id: '', state: 'running' }]);
    const state = await db.selectFrom('server_state').select(['key', 'value']).execute();
    expect(state).toEqual([{ key: 'other', value: 'kept' }]);
  });
});
