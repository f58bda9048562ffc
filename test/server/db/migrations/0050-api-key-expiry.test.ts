/**
 * Migration 0050 on a database with keys made before every key had to expire: a key
 * without an expiry gets one 90 days from the migration, a key with one keeps it (the
 * server refuses a key past its expiry: test/server/api-keys/api-keys-lifetime.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeSqliteDialect } from '../../../../server/db/node-sqlite.dialect.ts';
import { migrations } from '../../../../server/db/migrations/index.ts';

const DAY_MS = 86_400_000;
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

const key = (id: string, expiresAt: string | null) => ({
  id,
  name: id,
  prefix: `fk_${id}`,
  secret_hash: '0'.repeat(64),
  scopes: '["status:read"]',
  owner_id: 'u1',
  created_at: '2025-01-01T00:00:00.000Z',
  expires_at: expiresAt,
  last_used_at: null,
  revoked_at: null,
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'migration-0050-'));
  db = new Kysely({ dialect: new NodeSqliteDialect(path.join(dir, 'factory.sqlite')) });
  const before = await migrator((name) => name < '0050').migrateToLatest();
  if (before.error) throw before.error;
  await db
    .insertInto('users')
    .values({
      id: 'u1',
      email: 'svc@example.test',
      password_hash: 'x',
      role: 'admin',
      disabled: 0,
      must_change_password: 0,
      bootstrap_password: 0,
      created_at: '2025-01-01T00:00:00.000Z',
      updated_at: '2025-01-01T00:00:00.000Z',
    })
    .execute();
  await db
    .insertInto('api_keys')
    .values([key('00000000000000aa', null), key('00000000000000bb', '2030-01-01T00:00:00.000Z')])
    .execute();
});
afterAll(async () => {
  await db.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('migration 0050-api-key-expiry', () => {
  it('gives a key without an expiry one, 90 days from now, and leaves a set expiry alone', async () => {
    const migrated = await migrator(() => true).migrateToLatest();
    expect(migrated.error).toBeUndefined();
    expect(migrated.results?.map((result) => result.migrationName)).toContain('0050-api-key-expiry');
    const rows = await db.selectFrom('api_keys').select(['id', 'expires_at']).orderBy('id').execute();
    expect(rows[1]).toEqual({ id: '00000000000000bb', expires_at: '2030-01-01T00:00:00.000Z' });
    const given = Date.parse(String(rows[0]?.expires_at));
    expect(Math.abs(given - (Date.now() + 90 * DAY_MS))).toBeLessThan(60_000);
    expect(await db.selectFrom('api_keys').select('id').where('expires_at', 'is', null).execute()).toEqual(
      [],
    );
  });
});
