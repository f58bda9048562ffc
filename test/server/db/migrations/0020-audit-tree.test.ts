/**
 * Migration 0020 on a database written before the Merkle tree: it backfills the stored hashes
 * from the existing entries, keeps the legacy chain-head checkpoints as history (never served),
 * and the log then signs tree checkpoints whose root is the entries' RFC 6962 root.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeSqliteDialect } from '../../../../server/db/node-sqlite.dialect.ts';
import { migrations } from '../../../../server/db/migrations/index.ts';
import { chainNext, GENESIS_HEAD } from '../../../../shared/node/audit/audit-canonical.ts';
import { openCheckpoint } from '../../../../shared/node/audit/audit-checkpoint.ts';
import { signNote, parseVerifierKey } from '../../../../shared/node/audit/signed-note.ts';
import type { AuditEntry } from '../../../../shared/common/audit-event.ts';
import { fixtureFields, rootOf } from '../../../shared/node/audit/audit-fixture.ts';
import { openAudit, signingKey } from '../../audit/audit-service-fixture.ts';

const COUNT = 300;
let dir: string;
const entries: AuditEntry[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'migration-0020-'));
  const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0020'));
  const db = new Kysely<Record<string, Record<string, unknown>>>({
    dialect: new NodeSqliteDialect(path.join(dir, 'factory.sqlite')),
  });
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(before) },
    migrationTableName: 'schema_migrations',
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
  let head: { seq: number; hash: string } = GENESIS_HEAD;
  for (let index = 0; index < COUNT; index += 1) {
    const built = chainNext(head, fixtureFields(index));
    await db
      .insertInto('audit_entries')
      .values({ ...built.entry, details: built.detailsJson })
      .execute();
    entries.push(built.entry);
    head = built.entry;
  }
  // Legacy checkpoints: the chain head in the root line, under the bare log name.
  for (const size of [200, COUNT]) {
    const headHash = entries[size - 1]!.hash;
    const body = `factory.test/audit\n${size}\n${Buffer.from(headHash, 'hex').toString('base64')}\n`;
    await db
      .insertInto('audit_checkpoints')
      .values({
        size,
        head_hash: headHash,
        note: signNote(body, 'factory.test/audit', signingKey.privateKey),
        created_at: new Date().toISOString(),
      })
      .execute();
  }
  await db.destroy();
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('migration 0020: the audit Merkle tree', () => {
  it('backfills the tree, keeps legacy checkpoints as history and serves a tree checkpoint', async () => {
    const { db, audit } = await openAudit(dir);
    try {
      expect(await audit.store.treeRoot(COUNT)).toBe(rootOf(entries, COUNT));
      expect(await audit.store.treeRoot(123)).toBe(rootOf(entries, 123));
      expect(await audit.store.latestTreeCheckpoint()).toBeUndefined();
      const checkpoint = await audit.checkpoint();
      expect(checkpoint.size).toBe(COUNT);
      expect(checkpoint.origin).toBe('factory.test/audit/tlog');
      const body = openCheckpoint(checkpoint.note, parseVerifierKey(checkpoint.verifier_key));
      expect(body.rootHash).toBe(rootOf(entries, COUNT));
      const rows = await db
        .withTables<{ audit_checkpoints: { size: number; root_hash: string | null; note: string } }>()
        .selectFrom('audit_checkpoints')
        .select(['size', 'root_hash', 'note'])
        .orderBy('size')
        .execute();
      // The legacy checkpoint at 200 stays as it was; the one at 300 is superseded by the tree one.
      expect(rows[0]).toMatchObject({ size: 200, root_hash: null });
      expect(rows[0]!.note.startsWith('factory.test/audit\n200\n')).toBe(true);
      expect(rows[1]).toMatchObject({ size: COUNT, root_hash: rootOf(entries, COUNT) });
      expect(rows[1]!.note).toBe(checkpoint.note);
      const verified = await audit.verify();
      expect(verified.ok, JSON.stringify(verified)).toBe(true);
      // New entries extend the backfilled tree.
      await audit.appendEntry({ type: 'login_success', actor: 'a@example.com' });
      const grown = await audit.checkpoint();
      const proof = await audit.consistencyProof(COUNT, grown.size);
      expect(proof.hashes.length).toBeGreaterThan(0);
    } finally {
      await audit.close();
      await db.destroy();
    }
  });
});
