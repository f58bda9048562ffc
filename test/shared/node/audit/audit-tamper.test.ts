/**
 * Tamper detection on a 1 000-entry export: for every entry position a one-byte
 * edit, a deleted line, an inserted line, two swapped lines and a re-serialisation in
 * another key order are each caught at that entry; tail truncation and rewrites with
 * recomputed hashes are caught against a checkpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditVerifyReason } from '../../../../shared/common/audit-event.ts';
import { chainNext, hashUnhashedLine } from '../../../../shared/node/audit/audit-canonical.ts';
import { openCheckpoint, type Checkpoint } from '../../../../shared/node/audit/audit-checkpoint.ts';
import { ChainVerifier, verifyJsonlStream } from '../../../../shared/node/audit/audit-chain-verifier.ts';
import { runAuditVerify } from '../../../../shared/node/audit/offline-verify.ts';
import { parseVerifierKey } from '../../../../shared/node/audit/signed-note.ts';
import {
  buildChain,
  checkpointFor,
  checkpointKey,
  fixtureFields,
  tempDir,
  writeExport,
} from './audit-fixture.ts';

const COUNT = 1000;
const { entries, lines } = buildChain(COUNT);
const key = checkpointKey();
const fullCheckpoint = checkpointFor(entries, COUNT, key);

/** How a verified chain relates to a tree checkpoint: shorter, another root at its size, or consistent. */
function checkLogAgainst(
  checkpoint: Checkpoint,
  headSeq: number,
  rootAt: (seq: number) => string | undefined,
) {
  if (headSeq < checkpoint.size) return 'log_shorter_than_checkpoint';
  return rootAt(checkpoint.size) === checkpoint.rootHash ? null : 'log_inconsistent_with_checkpoint';
}

/** Verifies lines in memory with the same verifier the CLI streams through. */
function verifyLines(candidate: readonly string[], watch: number[] = []) {
  const verifier = new ChainVerifier(watch);
  for (const line of candidate) if (!verifier.push(line)) break;
  return { result: verifier.result(), verifier };
}

/** prefixes[i]: the verifier state after lines 1..i (each prefix verified once, then cloned). */
const prefixes: ChainVerifier[] = [new ChainVerifier()];
for (const line of lines) {
  const next = prefixes.at(-1)!.clone();
  next.push(line);
  prefixes.push(next);
}

/** Verifies `replacement ‖ lines[resumeAt…]` after the untouched first `index` lines. */
function verifyFrom(index: number, replacement: readonly string[], resumeAt: number) {
  const verifier = prefixes[index]!.clone();
  for (const line of [...replacement, ...lines.slice(resumeAt)]) if (!verifier.push(line)) break;
  return verifier.result();
}

describe('tamper detection on a 1 000-entry export', () => {
  it('accepts the untouched export, and cloned prefixes agree with a fresh run', () => {
    expect(prefixes[COUNT]!.result()).toEqual(verifyLines(lines).result);
    const { result } = verifyLines(lines);
    expect(result).toEqual({
      ok: true,
      checked: COUNT,
      head_seq: COUNT,
      head_hash: entries[COUNT - 1]!.hash,
    });
  });

  it('catches a one-byte edit of every entry, at that entry', () => {
    for (let index = 0; index < COUNT; index += 1) {
      const line = lines[index]!;
      const offset = (index * 7919) % line.length;
      const edited =
        line.slice(0, offset) + String.fromCharCode(line.charCodeAt(offset) ^ 0x01) + line.slice(offset + 1);
      const result = verifyFrom(index, [edited], index + 1);
      expect(result.ok, `edit at line ${index + 1} offset ${offset}`).toBe(false);
      expect(result.first_bad_seq).toBe(index + 1);
    }
  });

  it('catches a one-byte edit at every byte offset of the first and the last entry', () => {
    for (const index of [0, COUNT - 1]) {
      const bytes = Buffer.from(lines[index]!, 'utf8');
      for (let offset = 0; offset < bytes.length; offset += 1) {
        const copy = Buffer.from(bytes);
        copy[offset] = (copy[offset] ?? 0) ^ 0x01;
        const result = verifyFrom(index, [copy.toString('utf8')], index + 1);
        expect(result.ok).toBe(false);
        expect(result.first_bad_seq).toBe(index + 1);
      }
    }
  });

  it('catches every deleted line (the last one against the checkpoint)', () => {
    const verifier = parseVerifierKey(key.verifierKey);
    const checkpoint = openCheckpoint(fullCheckpoint, verifier);
    for (let index = 0; index < COUNT; index += 1) {
      const result = verifyFrom(index, [], index + 1);
      if (index < COUNT - 1) {
        expect(result.ok).toBe(false);
        expect(result.reason).toBe(AuditVerifyReason.SeqGap);
        expect(result.first_bad_seq).toBe(index + 1);
      } else {
        expect(result.ok).toBe(true);
        expect(checkLogAgainst(checkpoint, result.head_seq, () => undefined)).toBe(
          'log_shorter_than_checkpoint',
        );
      }
    }
  });

  it('catches every inserted line: a duplicate, and a forged entry chained to its predecessor', () => {
    for (let index = 0; index < COUNT; index += 1) {
      const duplicate = lines[(index + COUNT / 2) % COUNT]!;
      const withDuplicate = verifyFrom(index, [duplicate], index);
      expect(withDuplicate.ok).toBe(false);
      expect(withDuplicate.first_bad_seq).toBe(index + 1);
      const previous = index === 0 ? { seq: 0, hash: '0'.repeat(64) } : entries[index - 1]!;
      const forged = chainNext(previous, { ...fixtureFields(index), actor: 'mallory@example.com' }).line;
      const withForged = verifyFrom(index, [forged], index);
      expect(withForged.ok).toBe(false);
      expect(withForged.first_bad_seq).toBe(index + 2);
    }
  });

  it('catches every swap of two adjacent lines', () => {
    for (let index = 0; index < COUNT - 1; index += 1) {
      const result = verifyFrom(index, [lines[index + 1]!, lines[index]!], index + 2);
      expect(result.ok).toBe(false);
      expect(result.first_bad_seq).toBe(index + 1);
    }
  });

  it('catches a re-serialisation of every entry with another key order', () => {
    for (let index = 0; index < COUNT; index += 1) {
      const parsed = JSON.parse(lines[index]!) as Record<string, unknown>;
      const reordered = JSON.stringify(Object.fromEntries(Object.entries(parsed).reverse()));
      const result = verifyFrom(index, [reordered], index + 1);
      expect(result.ok).toBe(false);
      expect(result.reason).toBe(AuditVerifyReason.NotCanonical);
      expect(result.first_bad_seq).toBe(index + 1);
    }
  });
});

describe('bytes that are not UTF-8', () => {
  it('refuses a line whose U+FFFD was replaced by an invalid byte, though it decodes to the same text', async () => {
    // Decoding maps 0xFF to U+FFFD, so a verifier of decoded text would see the signed line;
    // the signed bytes are EF BF BD, and the leaf is the bytes.
    const chain: string[] = [];
    let head: { seq: number; hash: string } = { seq: 0, hash: '0'.repeat(64) };
    for (let index = 0; index < 3; index += 1) {
      const built = chainNext(head, { ...fixtureFields(index), details: { note: 'before \uFFFD after' } });
      chain.push(built.line);
      head = built.entry;
    }
    const whole = Buffer.from(chain.map((line) => `${line}\n`).join(''), 'utf8');
    const at = whole.indexOf(Buffer.from('\uFFFD', 'utf8'), Buffer.byteLength(chain[0]!) + 1);
    const edited = Buffer.concat([whole.subarray(0, at), Buffer.from([0xff]), whole.subarray(at + 3)]);
    expect(edited.toString('utf8')).toBe(whole.toString('utf8'));
    expect((await verifyJsonlStream([whole])).result().ok).toBe(true);
    const result = (await verifyJsonlStream([edited])).result();
    expect(result).toMatchObject({ ok: false, reason: AuditVerifyReason.Malformed, first_bad_seq: 2 });
  });
});

describe('strict mode', () => {
  it('also refuses a correctly hashed line that its writer did not encode canonically', () => {
    // A writer bug, not tampering: the hash matches the bytes, but the bytes are not canonical.
    const previous = entries[COUNT - 2]!;
    const sloppy = `{"seq":${COUNT},"ts":"2026-01-01T00:00:00.000Z","type":"logout","actor":null,"resource":null,"ip":null,"request_id":null,"details":{"b":1,"a":2},"prev_hash":"${previous.hash}"}`;
    const hash = hashUnhashedLine(sloppy);
    const line = `${sloppy.slice(0, -1)},"hash":"${hash}"}`;
    const fast = prefixes[COUNT - 1]!.clone();
    expect(fast.push(line)).toBe(true);
    const strict = new ChainVerifier([], false, true);
    for (const good of lines.slice(0, COUNT - 1)) expect(strict.push(good)).toBe(true);
    expect(strict.push(line)).toBe(false);
    expect(strict.result()).toMatchObject({ reason: AuditVerifyReason.NotCanonical, first_bad_seq: COUNT });
  });
});

describe('checkpoints catch what a chain alone cannot', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    temp = await tempDir();
  });
  afterAll(async () => temp.cleanup());

  it('detects tail truncation by 1…N lines', () => {
    const checkpoint = openCheckpoint(fullCheckpoint, parseVerifierKey(key.verifierKey));
    for (let cut = 1; cut <= COUNT; cut += 1) {
      // The streaming verifier's state after COUNT − cut lines is its verdict on that file.
      const verifier = prefixes[COUNT - cut]!;
      const result = verifier.result();
      expect(result.ok).toBe(true);
      expect(result.head_seq).toBe(COUNT - cut);
      expect(checkLogAgainst(checkpoint, result.head_seq, (seq) => verifier.rootAt(seq))).toBe(
        'log_shorter_than_checkpoint',
      );
    }
  });

  it('detects tail truncation through the offline verifier (exit code 1)', async () => {
    for (const cut of [1, 2, 500, COUNT]) {
      const file = temp.file(`cut-${cut}.jsonl`);
      await writeExport(file, lines.slice(0, COUNT - cut), fullCheckpoint);
      const report = await runAuditVerify({ file, key: key.verifierKey });
      expect(report.exitCode).toBe(1);
      expect(report.result.reason).toBe(AuditVerifyReason.CheckpointAhead);
      expect(report.result.first_bad_seq).toBe(COUNT - cut + 1);
    }
  });

  it('detects a rewrite from position i with recomputed hashes', () => {
    const checkpoint = openCheckpoint(fullCheckpoint, parseVerifierKey(key.verifierKey));
    for (let from = 0; from < COUNT; from += 13) {
      const rewritten = lines.slice(0, from);
      let head = from === 0 ? { seq: 0, hash: '0'.repeat(64) } : entries[from - 1]!;
      for (let index = from; index < COUNT; index += 1) {
        const built = chainNext(head, { ...fixtureFields(index), actor: 'mallory@example.com' });
        rewritten.push(built.line);
        head = built.entry;
      }
      const { result, verifier } = verifyLines(rewritten, [checkpoint.size]);
      expect(result.ok, 'the rewritten chain is internally consistent').toBe(true);
      expect(checkLogAgainst(checkpoint, result.head_seq, (seq) => verifier.rootAt(seq))).toBe(
        'log_inconsistent_with_checkpoint',
      );
    }
  });

  it('rejects a forged checkpoint and a stale one', async () => {
    const rewritten: string[] = [];
    let head: { seq: number; hash: string } = { seq: 0, hash: '0'.repeat(64) };
    const rewrittenEntries = [];
    for (let index = 0; index < COUNT; index += 1) {
      const built = chainNext(head, { ...fixtureFields(index), actor: 'mallory@example.com' });
      rewritten.push(built.line);
      rewrittenEntries.push(built.entry);
      head = built.entry;
    }
    // Forged: the attacker signs the rewritten log under the same name with their own key.
    const attacker = checkpointKey(key.name);
    const forgedFile = temp.file('forged.jsonl');
    await writeExport(forgedFile, rewritten, checkpointFor(rewrittenEntries, COUNT, attacker));
    const forged = await runAuditVerify({ file: forgedFile, key: key.verifierKey });
    expect(forged.exitCode).toBe(1);
    expect(forged.result.reason).toBe(AuditVerifyReason.CheckpointInvalid);

    // Stale: after seeing size 1000, an export cut to 900 with a genuine older checkpoint.
    const remember = temp.file('remembered.json');
    const fullFile = temp.file('full.jsonl');
    await writeExport(fullFile, lines, fullCheckpoint);
    expect(
      (await runAuditVerify({ file: fullFile, key: key.verifierKey, rememberFile: remember })).exitCode,
    ).toBe(0);
    const staleFile = temp.file('stale.jsonl');
    await writeExport(staleFile, lines.slice(0, 900), checkpointFor(entries, 900, key));
    expect((await runAuditVerify({ file: staleFile, key: key.verifierKey })).exitCode).toBe(0);
    const stale = await runAuditVerify({ file: staleFile, rememberFile: remember });
    expect(stale.exitCode).toBe(1);
    expect(stale.result.reason).toBe(AuditVerifyReason.CheckpointStale);
  });
});
