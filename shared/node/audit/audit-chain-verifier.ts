/**
 * The streaming verifier of an audit chain: feed it canonical lines (from a JSONL
 * export, or rebuilt from the server's store) and it reports the first bad entry.
 * Memory is constant: it keeps the head, the Merkle tree's right edge (a compact range: every
 * accepted line is also a leaf, see merkle-tree.ts) and, at the sequence numbers it was asked to
 * watch (the checkpoints' sizes), the chain hash and the tree's right edge.
 *
 * Untrusted input: every line is parsed defensively; nothing in it is executed or
 * trusted until its hash and link check out.
 */
import { StringDecoder } from 'node:string_decoder';
import {
  AUDIT_GENESIS_HASH,
  AuditEventType,
  AuditVerifyReason,
  type AuditEntry,
  type AuditVerifyResult,
} from '../../common/audit-event.ts';
import { CanonicalEncodingError, encodeEntry, hashUnhashedLine } from './audit-canonical.ts';
import { CompactRange } from './merkle-tree.ts';

const KNOWN_TYPES = new Set<string>(Object.values(AuditEventType));
const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** `","hash":"<64 hex>"}` closes every canonical line. */
const HASH_MEMBER_LENGTH = '","hash":"'.length + 64 + '"}'.length;
/** The trailer line an export ends with: `{"checkpoint":"<signed note>"}`. */
const CHECKPOINT_TRAILER = '{"checkpoint":';
/** Longer than any canonical entry (details ≤ 8 KiB, escaping at most ×6) or trailer. */
const MAX_LINE_CHARS = 128 * 1024;

const nullableString = (value: unknown): boolean => value === null || typeof value === 'string';

/** Type-checks a parsed line; the canonical re-encoding then checks everything else. */
function looksLikeEntry(value: unknown): value is AuditEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entry = value as Record<string, unknown>;
  return (
    Number.isSafeInteger(entry['seq']) &&
    typeof entry['ts'] === 'string' &&
    TS.test(entry['ts']) &&
    typeof entry['type'] === 'string' &&
    KNOWN_TYPES.has(entry['type']) &&
    nullableString(entry['actor']) &&
    nullableString(entry['resource']) &&
    nullableString(entry['ip']) &&
    nullableString(entry['request_id']) &&
    typeof entry['details'] === 'object' &&
    entry['details'] !== null &&
    !Array.isArray(entry['details']) &&
    // prev_hash and hash are compared with hashes we computed, which are hex by construction.
    typeof entry['prev_hash'] === 'string' &&
    typeof entry['hash'] === 'string'
  );
}

/** Why a line whose hash does not match is bad: not canonical, or simply edited. */
function mismatchReason(entry: AuditEntry, line: string): { reason: AuditVerifyReason; message: string } {
  try {
    if (encodeEntry(entry) !== line) {
      return { reason: AuditVerifyReason.NotCanonical, message: 'line is not in canonical form' };
    }
  } catch (error) {
    if (!(error instanceof CanonicalEncodingError)) throw error;
    return { reason: AuditVerifyReason.NotCanonical, message: error.message };
  }
  return { reason: AuditVerifyReason.HashMismatch, message: 'hash does not match the entry' };
}

/** Chain verification state, fed one line at a time. */
export class ChainVerifier {
  private headSeq = 0;
  private headHash = AUDIT_GENESIS_HASH;
  private failure: { seq: number; reason: AuditVerifyReason; message: string } | undefined;
  private readonly watched = new Map<number, string>();
  private readonly watchedTrees = new Map<number, CompactRange>();
  private readonly watchSet: ReadonlySet<number>;
  /** The Merkle tree over the accepted lines (in segment mode: from the segment's first leaf). */
  tree = new CompactRange();
  /** The checkpoint note of an export's trailer line, if one was seen. */
  trailerCheckpoint: string | undefined;

  /** In segment mode, the first line's seq and prev_hash (for the stitcher). */
  first: { seq: number; prevHash: string } | undefined;
  private segmentStart: boolean;
  /** Lines accepted so far (in segment mode the segment's own count). */
  accepted = 0;

  /**
   * @param watch sequence numbers whose hashes to keep (checkpoint sizes to check later).
   * @param segment verify a slice of a chain that need not start at seq 1.
   */
  private readonly strict: boolean;

  /**
   * @param watch sequence numbers whose hashes to keep (checkpoint sizes to check later).
   * @param segment verify a slice of a chain that need not start at seq 1.
   * @param strict parse and re-check the canonical form of every line, not only of bad ones.
   */
  constructor(watch: Iterable<number> = [], segment = false, strict = false) {
    this.watchSet = new Set(watch);
    this.segmentStart = segment;
    this.strict = strict;
  }

  /**
   * The fast path: seq, prev_hash and hash are read from their fixed places in a
   * canonical line, and the hash is recomputed over the exact bytes. A line it accepts
   * is byte-identical to what the writer hashed, and linked to its predecessor, so its
   * content is authenticated by the chain (and by a checkpoint up to its head) without
   * parsing it. Anything it does not accept goes through the full path, which parses
   * the line and names the problem.
   */
  private pushFast(line: string): boolean {
    const length = line.length;
    if (!line.startsWith('{"seq":') || !line.endsWith('"}')) return false;
    const comma = line.indexOf(',', 7);
    const seqText = line.slice(7, comma);
    if (comma < 0 || !/^[1-9][0-9]{0,15}$/.test(seqText)) return false;
    if (line.slice(length - 154, length - 140) !== ',"prev_hash":"') return false;
    if (line.slice(length - 76, length - 66) !== '","hash":"') return false;
    const seq = Number(seqText);
    const prevHash = line.slice(length - 140, length - 76);
    const expectedSeq = this.segmentStart ? seq : this.headSeq + 1;
    const expectedPrev = this.segmentStart ? prevHash : this.headHash;
    if (seq !== expectedSeq || prevHash !== expectedPrev) return false;
    const hash = hashUnhashedLine(`${line.slice(0, length - HASH_MEMBER_LENGTH)}"}`);
    if (hash !== line.slice(length - 66, length - 2)) return false;
    if (this.segmentStart) {
      this.segmentStart = false;
      this.first = { seq, prevHash };
      this.tree = new CompactRange(seq - 1);
    }
    this.accept(seq, hash, line);
    return true;
  }

  /** Records an accepted line: the chain head, the tree leaf, the watched sizes. */
  private accept(seq: number, hash: string, line: string): void {
    this.headSeq = seq;
    this.headHash = hash;
    this.accepted += 1;
    this.tree.appendLeaf(line);
    if (this.watchSet.has(seq)) {
      this.watched.set(seq, hash);
      this.watchedTrees.set(seq, this.tree.clone());
    }
  }

  /**
   * A copy of this state, to check several continuations of one verified prefix (the
   * tamper tests) without re-verifying the prefix each time.
   */
  clone(): ChainVerifier {
    const copy = new ChainVerifier(this.watchSet, false, this.strict);
    copy.headSeq = this.headSeq;
    copy.headHash = this.headHash;
    copy.failure = this.failure;
    copy.trailerCheckpoint = this.trailerCheckpoint;
    copy.first = this.first;
    copy.segmentStart = this.segmentStart;
    copy.accepted = this.accepted;
    copy.tree = this.tree.clone();
    for (const [seq, hash] of this.watched) copy.watched.set(seq, hash);
    for (const [seq, tree] of this.watchedTrees) copy.watchedTrees.set(seq, tree.clone());
    return copy;
  }

  /** Whether every line so far verified. */
  get ok(): boolean {
    return this.failure === undefined;
  }

  private fail(reason: AuditVerifyReason, message: string): false {
    this.failure = { seq: this.headSeq + 1, reason, message };
    return false;
  }

  /** Checks the next line (without its `\n`). Returns false once the chain has failed. */
  push(line: string): boolean {
    if (this.failure) return false;
    if (this.trailerCheckpoint !== undefined) {
      return this.fail(AuditVerifyReason.Malformed, 'a line follows the checkpoint trailer');
    }
    if (line.startsWith(CHECKPOINT_TRAILER)) return this.pushTrailer(line);
    if (!this.strict && this.pushFast(line)) return true;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return this.fail(AuditVerifyReason.Malformed, 'line is not JSON');
    }
    if (!looksLikeEntry(parsed)) return this.fail(AuditVerifyReason.Malformed, 'line is not an audit entry');
    if (this.segmentStart) {
      // A segment of a parallel verification starts mid-chain: the stitcher checks its link.
      this.segmentStart = false;
      this.first = { seq: parsed.seq, prevHash: parsed.prev_hash };
      this.headSeq = parsed.seq - 1;
      this.headHash = parsed.prev_hash;
      this.tree = new CompactRange(parsed.seq - 1);
    }
    if (parsed.seq !== this.headSeq + 1) {
      return this.fail(AuditVerifyReason.SeqGap, `expected seq ${this.headSeq + 1}, found ${parsed.seq}`);
    }
    if (parsed.prev_hash !== this.headHash) {
      return this.fail(AuditVerifyReason.PrevHashMismatch, 'prev_hash does not match the previous entry');
    }
    // The hash covers the exact bytes, so any re-serialisation or edit shows up here; only
    // then is the (slower) canonical re-encoding run, to name the cause.
    const hash = line.endsWith('"}') ? hashUnhashedLine(`${line.slice(0, -HASH_MEMBER_LENGTH)}"}`) : '';
    if (hash !== parsed.hash || this.strict) {
      const why = mismatchReason(parsed, line);
      if (hash !== parsed.hash || why.reason === AuditVerifyReason.NotCanonical)
        return this.fail(why.reason, why.message);
    }
    this.accept(parsed.seq, hash, line);
    return true;
  }

  private pushTrailer(line: string): boolean {
    try {
      const parsed = JSON.parse(line) as unknown;
      const note = (parsed as { checkpoint?: unknown }).checkpoint;
      if (typeof note !== 'string' || Object.keys(parsed as object).length !== 1) throw new Error('shape');
      this.trailerCheckpoint = note;
      return true;
    } catch {
      return this.fail(AuditVerifyReason.Malformed, 'malformed checkpoint trailer');
    }
  }

  /** Reports a line longer than any entry can be (a stream with no newlines). */
  tooLong(): void {
    if (!this.failure) this.fail(AuditVerifyReason.Malformed, 'line is longer than any audit entry');
  }

  /** Reports a torn final record (bytes after the last newline). */
  tornTail(): void {
    if (!this.failure)
      this.fail(AuditVerifyReason.TruncatedRecord, 'the last record is incomplete (no newline)');
  }

  /** The hash of a watched entry, if the chain reached it. */
  hashAt(seq: number): string | undefined {
    return seq === 0 ? AUDIT_GENESIS_HASH : this.watched.get(seq);
  }

  /** The tree's right edge after a watched entry (in segment mode, from the segment's start). */
  treeAt(seq: number): CompactRange | undefined {
    return this.watchedTrees.get(seq)?.clone();
  }

  /** The Merkle root (hex) of the first `seq` entries, if `seq` was watched (or is the head). */
  rootAt(seq: number): string | undefined {
    const tree = seq === this.headSeq ? this.tree : this.watchedTrees.get(seq);
    if (seq === 0) return new CompactRange().root().toString('hex');
    return tree && tree.start === 0 ? tree.root().toString('hex') : undefined;
  }

  /** The result so far; `checked` counts the entries that verified. */
  result(): AuditVerifyResult {
    const base = { checked: this.headSeq, head_seq: this.headSeq, head_hash: this.headHash };
    if (!this.failure) return { ok: true, ...base };
    return {
      ok: false,
      ...base,
      first_bad_seq: this.failure.seq,
      reason: this.failure.reason,
      message: this.failure.message,
    };
  }
}

/**
 * Verifies a JSONL byte stream (an export file, an HTTP body). Stops reading at the
 * first bad entry. Lines must end with `\n`; bytes after the last one are a torn record.
 */
export async function verifyJsonlStream(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  watch: Iterable<number> = [],
  segment = false,
  strict = false,
): Promise<ChainVerifier> {
  const verifier = new ChainVerifier(watch, segment, strict);
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of source) {
    const text = pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    let newline = text.indexOf('\n', start);
    while (newline >= 0) {
      if (!verifier.push(text.slice(start, newline))) return verifier;
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    pending = text.slice(start);
    if (pending.length > MAX_LINE_CHARS) {
      verifier.tooLong();
      return verifier;
    }
  }
  pending += decoder.end();
  if (pending.length > 0) verifier.tornTail();
  return verifier;
}
