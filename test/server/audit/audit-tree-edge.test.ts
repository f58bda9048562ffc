/**
 * The audit store keeps the Merkle tree's right edge after its last committed append and
 * reuses it only while the chain head read inside the next write transaction is the one it was
 * computed for (server/audit/audit.store.ts). Two stores on one database take turns, one
 * appends after the other quarantined the tail, and an append rolls back after computing its edge: the
 * stored tree must always be the tree of the stored entries, and every proof must verify.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventType } from '../../../shared/common/audit-event.ts';
import { chainNext, GENESIS_HEAD } from '../../../shared/node/audit/audit-canonical.ts';
import {
  CompactRange,
  leafHash,
  storedHashIndex,
  verifyInclusion,
} from '../../../shared/node/audit/merkle-tree.ts';
import { AuditStore, rowToLine, type AuditRow } from '../../../server/audit/audit.store.ts';
import { openDatabase, type Db } from '../../../server/db/database.ts';

let dir: string;
let first: Db;
let second: Db;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'audit-tree-edge-'));
  first = await openDatabase(dir);
  second = await openDatabase(dir);
});
afterAll(async () => {
  await first.destroy();
  await second.destroy();
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
function nextRows(count: number) {
  return (head: { seq: number; hash: string } | undefined): AuditRow[] => {
    const rows: AuditRow[] = [];
    let at: { seq: number; hash: string } = head ?? GENESIS_HEAD;
    for (let index = 0; index < count; index += 1) {
      counter += 1;
      const built = chainNext(at, {
        type: AuditEventType.AgentHandoff,
        actor: `writer${counter % 3}@example.com`,
        resource: null,
        ip: null,
        request_id: `req-${counter}`,
        details: { n: counter },
        ts: new Date(Date.UTC(2026, 0, 1) + counter * 1000).toISOString(),
      });
      rows.push({ ...built.entry, details: built.detailsJson });
      at = built.entry;
    }
    return rows;
  };
}

/** The stored tree against the tree of the stored entries: root, and a proof for every leaf. */
async function expectTreeOfEntries(store: AuditStore): Promise<number> {
  const rows = await store.rowsAfter(0, 10_000);
  const tree = new CompactRange();
  for (const row of rows) tree.appendLeaf(rowToLine(row));
  expect(await store.treeRoot(rows.length)).toBe(tree.root().toString('hex'));
  for (const row of rows) {
    const proof = await store.inclusionProof(row.seq, rows.length);
    expect(verifyInclusion(row.seq - 1, rows.length, leafHash(rowToLine(row)), proof, tree.root())).toBe(
      true,
    );
  }
  return rows.length;
}

describe('the store’s remembered tree edge', () => {
  it('keeps the stored tree the tree of the entries across writers, a quarantine and a rollback', async () => {
    const a = new AuditStore(first);
    const b = new AuditStore(second);
    await a.appendChained(nextRows(3));
    await a.appendChained(nextRows(1)); // a's remembered edge is used here
    await b.appendChained(nextRows(2)); // b has none yet: read from the stored hashes
    await a.appendChained(nextRows(1)); // the head moved under a: its edge must not be used
    expect(await expectTreeOfEntries(a)).toBe(7);

    // b cuts the tail back to 5 entries; a's remembered edge (7 entries) is stale.
    await b.quarantineFrom(6, 'test');
    await a.appendChained(nextRows(2));
    expect(await expectTreeOfEntries(b)).toBe(7);

    // The same size again, but another history: a's edge after 7 entries is not b's.
    await b.quarantineFrom(6, 'test');
    await b.appendChained(nextRows(2));
    await a.appendChained(nextRows(1));
    expect(await expectTreeOfEntries(a)).toBe(8);

    // An append whose tree insert fails (a stray row where its leaf hash goes) rolls back
    // after its edge was computed: the next append must not build on that edge.
    const stray = storedHashIndex(0, 8);
    await first
      .withTables<{ audit_tree_hashes: { id: number; hash: string } }>()
      .insertInto('audit_tree_hashes')
      .values({ id: stray, hash: '00'.repeat(32) })
      .execute();
    await expect(a.appendChained(nextRows(2))).rejects.toThrow();
    await first
      .withTables<{ audit_tree_hashes: { id: number; hash: string } }>()
      .deleteFrom('audit_tree_hashes')
      .where('id', '=', stray)
      .execute();
    await a.appendChained(nextRows(3));
    expect(await expectTreeOfEntries(b)).toBe(11);
  });
});
