/**
 * The console's transparency-log checks against a real Factory API (plain HTTP on loopback):
 * an entry's inclusion proof against the signed checkpoint, and on every visit a consistency
 * proof from the checkpoint the console remembers (in its home) to the newest. Altered proofs,
 * a remembered root from another history and a log shorter than remembered are refused, and
 * the remembered checkpoint never advances on a failure.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFactory, type RunningFactory } from '../../../../../server/factory.ts';
import { FactoryConnection } from '../../../../../electron/core/factory-api/factory-connection.ts';
import {
  AuditService,
  REMEMBERED_CHECKPOINTS_FILE,
} from '../../../../../electron/core/domains/audit/audit.service.ts';
import { RememberedCheckpoints } from '../../../../../shared/node/audit/remembered-checkpoints.ts';
import {
  proveEntryIncluded,
  proveLogGrew,
  tlogReaderOf,
  type TlogReader,
} from '../../../../../shared/node/audit/tlog-proofs.ts';

const PASSWORD = 'service-test-password-1234';
let dataDir: string;
let home: string;
let factory: RunningFactory;
let connection: FactoryConnection;
let audit: AuditService;
let reader: TlogReader;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'svc-tlog-factory-'));
  home = await mkdtemp(path.join(tmpdir(), 'svc-tlog-home-'));
  factory = await startFactory({ dataDir, tls: 'off', devBootstrapPassword: PASSWORD, logLevel: 'silent' });
  connection = new FactoryConnection({
    startEmbedded: () => Promise.reject(new Error('not used')),
    trust: { pinFor: () => undefined },
    timeoutMs: 10_000,
  });
  await connection.connect(factory.url);
  await connection.client.login(factory.adminEmail, PASSWORD);
  audit = new AuditService(connection, () => undefined, home);
  reader = tlogReaderOf((route) => connection.client.open(route));
}, 60_000);

afterAll(async () => {
  audit?.stop();
  await factory?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

const rememberFile = () => path.join(home, REMEMBERED_CHECKPOINTS_FILE);

/** Appends entries the way an operator does: each sign-in is a `login_success` entry. */
async function grow(times: number): Promise<void> {
  for (let index = 0; index < times; index += 1) await connection.client.login(factory.adminEmail, PASSWORD);
}

/** A reader whose answers pass through `alter` (a server that lies in one kind of answer). */
function lying(alter: Partial<TlogReader>): TlogReader {
  return { ...reader, ...alter };
}

const flip = (hashes: string[]) =>
  hashes.map((hash, index) => {
    if (index > 0) return hash;
    const bytes = Buffer.from(hash, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    return bytes.toString('base64');
  });

describe('the console proves the log only grew (consistency proofs)', () => {
  it('remembers the first signed tree, then proves each growth seq A → B, and says when nothing changed', async () => {
    const first = await audit.consistency();
    expect(first).toMatchObject({ ok: true, relation: 'first', firstBadSeq: null });
    expect(first.to).toBeGreaterThan(0);
    const file = JSON.parse(await readFile(rememberFile(), 'utf8')) as {
      version: number;
      logs: Record<string, { size: number; verifier_key: string }>;
    };
    expect(file.version).toBe(2);
    expect(Object.values(file.logs)[0]?.size).toBe(first.to);

    await grow(3);
    const grown = await audit.consistency();
    expect(grown).toMatchObject({ ok: true, relation: 'grew', from: first.to });
    expect(grown.to).toBeGreaterThanOrEqual(first.to + 3);
    const same = await audit.consistency();
    expect(same).toMatchObject({ ok: true, relation: 'same', from: grown.to, to: grown.to });
  });

  it('refuses an altered consistency proof and keeps the remembered checkpoint', async () => {
    const before = await readFile(rememberFile(), 'utf8');
    await grow(2);
    const memory = await RememberedCheckpoints.load(rememberFile());
    const remembered = memory.only()!;
    const result = await proveLogGrew(
      lying({
        consistency: async (from, to) => {
          const proof = await reader.consistency(from, to);
          return { ...proof, hashes: flip(proof.hashes) };
        },
      }),
      memory,
    );
    expect(result).toMatchObject({
      ok: false,
      reason: 'proof_invalid',
      from: remembered.size,
      firstBadSeq: remembered.size,
    });
    expect(result.ok ? '' : result.message).toMatch(
      /the consistency proof \(seq \d+ → \d+\) does not verify/,
    );
    expect(await readFile(rememberFile(), 'utf8')).toBe(before);
  });

  it('refuses a log whose history differs from the remembered root (a fork), naming seq A', async () => {
    const original = await readFile(rememberFile(), 'utf8');
    const file = JSON.parse(original) as { logs: Record<string, { size: number; root_hash: string }> };
    const log = Object.values(file.logs)[0]!;
    log.root_hash = `${log.root_hash[0] === '0' ? '1' : '0'}${log.root_hash.slice(1)}`;
    const forked = `${JSON.stringify(file, null, 2)}\n`;
    await writeFile(rememberFile(), forked);
    try {
      await grow(1);
      const result = await audit.consistency();
      expect(result).toMatchObject({
        ok: false,
        reason: 'proof_invalid',
        firstBadSeq: log.size,
        from: log.size,
      });
      expect(await readFile(rememberFile(), 'utf8')).toBe(forked);
      // Same size, another root: a fork without any proof.
      file.logs[Object.keys(file.logs)[0]!]!.size = result.to;
      await writeFile(rememberFile(), `${JSON.stringify(file, null, 2)}\n`);
      const sameSize = await audit.consistency();
      expect(sameSize).toMatchObject({ ok: false, reason: 'log_inconsistent_with_checkpoint' });
      expect(sameSize.message).toMatch(/forks from what you last saw/);
    } finally {
      await writeFile(rememberFile(), original);
    }
  });

  it('refuses a log shorter than the remembered checkpoint (a cut tail), naming the first missing seq', async () => {
    const original = await readFile(rememberFile(), 'utf8');
    const file = JSON.parse(original) as { logs: Record<string, { size: number }> };
    const log = Object.values(file.logs)[0]!;
    log.size += 1_000;
    await writeFile(rememberFile(), `${JSON.stringify(file, null, 2)}\n`);
    try {
      const result = await audit.consistency();
      expect(result).toMatchObject({ ok: false, reason: 'checkpoint_older_than_remembered', from: log.size });
      expect(result.firstBadSeq).toBe(result.to + 1);
      expect(result.message).toMatch(/the log is shorter than when you last looked/);
    } finally {
      await writeFile(rememberFile(), original);
    }
  });

  it('refuses a checkpoint signed by another key than the pinned one', async () => {
    const memory = await RememberedCheckpoints.load(rememberFile());
    const result = await proveLogGrew(
      lying({
        checkpoint: async () => {
          const served = await reader.checkpoint();
          const [name, id] = served.verifier_key.split('+');
          return { ...served, verifier_key: `${name}+${id}+${Buffer.alloc(33, 1).toString('base64')}` };
        },
      }),
      memory,
    );
    expect(result).toMatchObject({ ok: false, reason: 'checkpoint_invalid', firstBadSeq: null });
    expect(result.ok ? '' : result.message).toMatch(/signed with another key/);
  });
});

describe('the console proves an entry is in the signed tree (inclusion proofs)', () => {
  it('proves a shown entry against the newest signed checkpoint', async () => {
    const page = await audit.page({ limit: 5 });
    audit.stop();
    const entry = page.entries[2]!;
    const result = await audit.inclusion({ seq: entry.seq, hash: entry.hash });
    expect(result).toMatchObject({ seq: entry.seq, included: true, reason: null });
    expect(result.treeSize).toBeGreaterThanOrEqual(entry.seq);
  });

  it('refuses an entry shown with another hash than the log holds, and an altered proof', async () => {
    const entry = (await audit.page({ limit: 5 })).entries[1]!;
    audit.stop();
    const other = await audit.inclusion({ seq: entry.seq, hash: 'ab'.repeat(32) });
    expect(other).toMatchObject({ included: false, reason: 'hash_mismatch' });
    const altered = await proveEntryIncluded(
      lying({
        inclusion: async (seq, size) => {
          const proof = await reader.inclusion(seq, size);
          return { ...proof, hashes: flip(proof.hashes) };
        },
      }),
      entry.seq,
      entry.hash,
    );
    expect(altered).toMatchObject({ ok: false, reason: 'proof_invalid' });
    const leafSwapped = await proveEntryIncluded(
      lying({
        tile: async (tilePath) => {
          const bytes = Buffer.from(await reader.tile(tilePath));
          const at = bytes.indexOf('"type":"');
          bytes[at + 8] = bytes[at + 8]! ^ 0x20;
          return bytes;
        },
      }),
      1,
      (await audit.page({ limit: 1 })).entries[0]!.hash,
    );
    audit.stop();
    expect(leafSwapped).toMatchObject({ ok: false, reason: 'proof_invalid' });
  });
});
