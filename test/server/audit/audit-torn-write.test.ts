/**
 * The torn last record, SQLite edition. The log lives in SQLite (WAL, synchronous=FULL):
 * a record is one commit, written as WAL frames. A crash while a commit is being
 * written leaves those frames cut short; SQLite then ignores the incomplete commit
 * when the file is opened. We cut the WAL at byte offsets inside the last commit and
 * check that start-up recovery keeps every earlier (acknowledged) entry, records an
 * `audit_recovered` entry, and that the chain continues and verifies.
 *
 * Offsets: every offset in the first 32 and last 8 bytes of each frame of the commit
 * (the 24-byte frame header and the page edges), and every 509th byte in between. SQLite validates a
 * WAL frame as a whole (its checksum covers header and page), so each offset inside a
 * frame behaves like its neighbours; the sampled set covers every frame and edge.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../shared/common/audit-event.ts';
import { fixtureFields } from '../../shared/node/audit/audit-fixture.ts';
import { openAudit } from './audit-service-fixture.ts';

const ENTRIES = 20;
const WAL_HEADER = 32;
const FRAME_HEADER = 24;

let root: string;
const acknowledged: AuditEntry[] = [];
let dbImage: Buffer;
let walImage: Buffer;
let walBeforeLast: number;
let pageSize: number;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'audit-torn-'));
  const live = path.join(root, 'live');
  const { db, audit } = await openAudit(live);
  for (let index = 0; index < ENTRIES; index += 1) {
    const { ts: _ts, ...fields } = fixtureFields(index);
    acknowledged.push(await audit.appendEntry(fields));
  }
  walBeforeLast = (await fs.stat(path.join(live, 'factory.sqlite-wal'))).size;
  const { ts: _ts, ...fields } = fixtureFields(ENTRIES);
  await audit.appendEntry(fields);
  // Snapshot the files as a crash would leave them: no close, no checkpoint.
  dbImage = await fs.readFile(path.join(live, 'factory.sqlite'));
  walImage = await fs.readFile(path.join(live, 'factory.sqlite-wal'));
  pageSize = walImage.readUInt32BE(8);
  await db.destroy();
});
afterAll(async () => fs.rm(root, { recursive: true, force: true }));

async function recoverFrom(walLength: number, name: string) {
  const dir = path.join(root, name);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'factory.sqlite'), dbImage);
  await fs.writeFile(path.join(dir, 'factory.sqlite-wal'), walImage.subarray(0, walLength));
  const { db, audit } = await openAudit(dir);
  try {
    const rows = await audit.store.rowsAfter(0, 1000);
    const verify = await audit.verify();
    return { rows, verify, recovery: audit.recovery };
  } finally {
    await audit.close();
    await db.destroy();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe('torn last commit', () => {
  it('the last commit really is the tail of the WAL', () => {
    expect(walBeforeLast).toBeGreaterThan(WAL_HEADER);
    expect(walImage.length).toBeGreaterThan(walBeforeLast);
    expect((walImage.length - walBeforeLast) % (FRAME_HEADER + pageSize)).toBe(0);
  });

  it('recovers at every sampled offset inside the last commit with no acknowledged entry lost', async () => {
    const frame = FRAME_HEADER + pageSize;
    const offsets = new Set<number>();
    for (let start = walBeforeLast; start < walImage.length; start += frame) {
      for (let delta = 0; delta < 32; delta += 1) offsets.add(start + delta);
      for (let delta = 1; delta <= 8; delta += 1) offsets.add(start + frame - delta);
      for (let delta = 32; delta < frame - 8; delta += 509) offsets.add(start + delta);
    }
    expect(offsets.size).toBeGreaterThan(40);
    let checked = 0;
    for (const offset of [...offsets].sort((a, b) => a - b)) {
      const { rows, verify, recovery } = await recoverFrom(offset, `cut-${offset}`);
      expect(recovery?.uncleanShutdown).toBe(true);
      expect(rows.slice(0, ENTRIES).map((row) => row.hash)).toEqual(acknowledged.map((entry) => entry.hash));
      // The torn commit is gone; the recovery entry continues the chain right after the last acknowledged one.
      expect(rows.length).toBe(ENTRIES + 1);
      expect(rows[ENTRIES]?.type).toBe('audit_recovered');
      expect(JSON.parse(rows[ENTRIES]!.details)).toMatchObject({ unclean_shutdown: true, head_seq: ENTRIES });
      expect(verify.ok).toBe(true);
      checked += 1;
    }
    expect(checked).toBe(offsets.size);
  }, 240_000);

  it('keeps the last entry when its commit is complete', async () => {
    const { rows, verify } = await recoverFrom(walImage.length, 'complete');
    expect(rows.length).toBe(ENTRIES + 2);
    expect(rows[ENTRIES]?.type).not.toBe('audit_recovered');
    expect(rows[ENTRIES + 1]?.type).toBe('audit_recovered');
    expect(verify.ok).toBe(true);
  });
});
