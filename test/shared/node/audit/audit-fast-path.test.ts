/**
 * The streaming verifier's fast path (audit-chain-verifier.ts: seq, prev_hash and hash read and
 * compared in place on the line's bytes, no parsing) against a reference written here from the
 * rules in shared/common/audit-event.ts: parse every line, re-encode it canonically, recompute
 * its hash and link, and fold an RFC 6962 tree hash by the definition (RFC 9162 §2.1.1). On
 * random chains — random details, Unicode and escapes included — and on random edits of them
 * (a changed byte anywhere, a cut line, a dropped or repeated line, a line replaced by the entry
 * of the same seq from another chain: a fork), both must give the same
 * verdict, the same first bad seq, head and Merkle root; strict mode (every line through the
 * full path) must agree with both.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_GENESIS_HASH,
  AUDIT_HASH_PREFIX,
  AuditEventType,
  type AuditEntry,
} from '../../../../shared/common/audit-event.ts';
import { verifyJsonlStream } from '../../../../shared/node/audit/audit-chain-verifier.ts';
import { chainNext, encodeEntry, GENESIS_HEAD } from '../../../../shared/node/audit/audit-canonical.ts';

const sha256 = (...parts: (Buffer | string)[]): Buffer => {
  const digest = createHash('sha256');
  for (const part of parts) digest.update(part);
  return digest.digest();
};

/** MTH(D[0:n]) by the recursive definition, over the leaves' bytes. */
function referenceRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256(Buffer.alloc(0));
  if (leaves.length === 1) return sha256(Buffer.of(0), leaves[0]!);
  let split = 1;
  while (split * 2 < leaves.length) split *= 2;
  return sha256(Buffer.of(1), referenceRoot(leaves.slice(0, split)), referenceRoot(leaves.slice(split)));
}

/** The reference verdict on an export's bytes: how many lines verify, and the root over them. */
function referenceVerdict(bytes: Buffer): { good: number; headHash: string; root: string; ok: boolean } {
  const leaves: Buffer[] = [];
  let headHash = AUDIT_GENESIS_HASH;
  let start = 0;
  let ok: boolean;
  for (;;) {
    const newline = bytes.indexOf(0x0a, start);
    if (newline < 0) {
      ok = start === bytes.length; // bytes after the last newline: a torn record
      break;
    }
    const line = bytes.subarray(start, newline);
    start = newline + 1;
    const text = line.toString('utf8');
    let entry: AuditEntry;
    try {
      entry = JSON.parse(text) as AuditEntry;
      // Canonical bytes only: the re-encoding of what was parsed must be the very same bytes.
      if (!Buffer.from(encodeEntry(entry), 'utf8').equals(line)) throw new Error('not canonical');
    } catch {
      ok = false;
      break;
    }
    const unhashed = `${text.slice(0, text.lastIndexOf(',"hash":"'))}}`;
    const hash = sha256(AUDIT_HASH_PREFIX, unhashed).toString('hex');
    if (entry.seq !== leaves.length + 1 || entry.prev_hash !== headHash || entry.hash !== hash) {
      ok = false;
      break;
    }
    leaves.push(Buffer.from(line));
    headHash = hash;
  }
  return { good: leaves.length, headHash, root: referenceRoot(leaves).toString('hex'), ok };
}

const TYPES = Object.values(AuditEventType);
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }).filter((value) => value.isWellFormed()),
  fc.constantFrom('"', '\\', '\u0000\u001f', '\u2028', 'é', '𝄞', '{"hash":"x"}'),
);
const nullable = fc.option(text, { nil: null });
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(text, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const fields = fc.record({
  type: fc.constantFrom(...TYPES),
  actor: nullable,
  resource: nullable,
  ip: nullable,
  request_id: nullable,
  details: fc.dictionary(text, json, { maxKeys: 4 }),
  ts: fc
    .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
    .map((ms) => new Date(ms).toISOString()),
});

type Fields = typeof fields extends fc.Arbitrary<infer T> ? T : never;

function exportOf(all: Fields[]): Buffer {
  const lines: string[] = [];
  let head: { seq: number; hash: string } = GENESIS_HEAD;
  for (const item of all) {
    const built = chainNext(head, item);
    lines.push(`${built.line}\n`);
    head = built.entry;
  }
  return Buffer.from(lines.join(''), 'utf8');
}

/** An edit of an export's bytes: a byte changed anywhere, a cut, a line dropped, repeated or forked. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('fork' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat() }),
);

function applyEdit(
  bytes: Buffer,
  change: (typeof edit extends fc.Arbitrary<infer T> ? T : never) | undefined,
  other: Buffer,
): Buffer {
  if (change === undefined || bytes.length === 0) return bytes;
  const at = change.at % bytes.length;
  if (change.kind === 'byte') {
    const copy = Buffer.from(bytes);
    copy[at] = copy[at]! ^ change.xor;
    return copy;
  }
  if (change.kind === 'cut') return bytes.subarray(0, at);
  const lines = bytes.toString('latin1').split('\n').slice(0, -1);
  const index = change.at % lines.length;
  if (change.kind === 'fork') {
    // Entry `index + 1` of another chain: well formed and correctly hashed, the same seq, but
    // linked to another predecessor (index 0 would be a valid chain of its own).
    const others = other.toString('latin1').split('\n');
    if (index === 0 || index >= others.length - 1) return bytes;
    lines[index] = others[index]!;
  } else if (change.kind === 'drop') lines.splice(index, 1);
  else lines.splice(index, 0, lines[index]!);
  return Buffer.from(lines.map((line) => `${line}\n`).join(''), 'latin1');
}

/** Chunks of an export as a reader might deliver them (lines split across chunks). */
function chunked(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) chunks.push(bytes.subarray(start, start + size));
  return chunks;
}

describe('the verifier fast path against the reference verifier', () => {
  it('agrees on random chains and on random edits of them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fields, { minLength: 1, maxLength: 12 }),
        fc.array(fields, { minLength: 12, maxLength: 12 }),
        fc.option(edit, { nil: undefined }),
        fc.integer({ min: 1, max: 4096 }),
        async (all, alternative, change, chunk) => {
          const original = exportOf(all);
          const bytes = applyEdit(original, change, exportOf(alternative));
          const reference = referenceVerdict(bytes);
          for (const strict of [false, true]) {
            const verifier = await verifyJsonlStream(chunked(bytes, chunk), [], false, strict);
            const result = verifier.result();
            expect(result.ok).toBe(reference.ok);
            expect(result.head_seq).toBe(reference.good);
            expect(result.head_hash).toBe(reference.headHash);
            if (!result.ok) expect(result.first_bad_seq).toBe(reference.good + 1);
            expect(verifier.rootAt(reference.good)).toBe(reference.root);
          }
          // What verifies is the export or a prefix of its lines (a cut at a line end, the last
          // line dropped); anything else is refused.
          if (reference.ok) expect(original.subarray(0, bytes.length).equals(bytes)).toBe(true);
          if (bytes.equals(original)) expect(reference).toMatchObject({ ok: true, good: all.length });
        },
      ),
      { numRuns: 300 },
    );
  });
});
