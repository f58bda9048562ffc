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
import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import {
  AUDIT_GENESIS_HASH,
  AUDIT_HASH_PREFIX,
  AuditEventType,
  AuditVerifyReason,
} from '../../common/audit-constants.ts';
import type { AuditEntry, AuditVerifyResult } from '../../common/audit-event.ts';
import { CanonicalEncodingError, encodeEntry, hashUnhashedLine } from './audit-canonical.ts';
import { HashScratch } from './hash-scratch.ts';
import { CompactRange } from './merkle-tree.ts';

const KNOWN_TYPES = new Set<string>(Object.values(AuditEventType));
const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** `","hash":"<64 hex>"}` closes every canonical line. */
const HASH_MEMBER_LENGTH = '","hash":"'.length + 64 + '"}'.length;
/** The trailer line an export ends with: `{"checkpoint":"<signed note>"}`. */
const CHECKPOINT_TRAILER = Buffer.from('{"checkpoint":');
/** Longer than any canonical entry (details ≤ 8 KiB, escaping at most ×6) or trailer. */
const MAX_LINE_BYTES = 128 * 1024;
/** The fixed parts of a canonical line that the fast path reads seq, prev_hash and hash between. */
const SEQ_OPEN = Buffer.from('{"seq":');
const PREV_HASH_OPEN = Buffer.from(',"prev_hash":"');
const HASH_OPEN = Buffer.from('","hash":"');
const CLOSE = Buffer.from('"}');
/** `{"seq":1,` … `,"prev_hash":"<64 hex>","hash":"<64 hex>"}`: nothing shorter is canonical. */
const MIN_FAST_LINE = SEQ_OPEN.length + 2 + 154;

/** Lower-case hex digits by value, for comparing a digest with the hex in a line. */
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Whether `bytes` holds, at `offset`, the 64 lower-case hex digits of `digest` (a SHA-256 digest
 * as a binary string: 32 chars, one per byte). The caller has checked that the 64 bytes lie
 * inside the line.
 */
function hexAt(bytes: Buffer, offset: number, digest: string): boolean {
  for (let index = 0; index < 32; index += 1) {
    const byte = digest.charCodeAt(index);
    if (
      bytes[offset + 2 * index] !== HEX_DIGITS[byte >> 4] ||
      bytes[offset + 2 * index + 1] !== HEX_DIGITS[byte & 15]
    )
      return false;
  }
  return true;
}

const hexToDigest = (hex: string): string => Buffer.from(hex, 'hex').toString('latin1');

/** Whether `bytes` holds `expected` at `offset`. */
function bytesAt(bytes: Buffer, offset: number, expected: Buffer): boolean {
  if (offset < 0 || offset + expected.length > bytes.length) return false;
  for (let index = 0; index < expected.length; index += 1)
    if (bytes[offset + index] !== expected[index]) return false;
  return true;
}

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
  /**
   * The head entry's hash as a binary string (see {@link hexAt}): the fast path compares it with
   * the next line's prev_hash bytes, and the hex form is only made when asked for.
   */
  #head = hexToDigest(AUDIT_GENESIS_HASH);
  #headHex: string | undefined = AUDIT_GENESIS_HASH;
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
   * The fast path, on the line's bytes: seq, prev_hash and hash are read from their fixed places
   * in a canonical line, and the hash is recomputed over the exact bytes. A line it accepts is
   * byte-identical to what the writer hashed, and linked to its predecessor, so its content is
   * authenticated by the chain (and by a checkpoint up to its head) without parsing or decoding
   * it. Anything it does not accept goes through the full path, which parses the line and names
   * the problem.
   */
  private pushFast(bytes: Buffer, start: number, end: number): boolean {
    if (
      end - start < MIN_FAST_LINE ||
      !bytesAt(bytes, start, SEQ_OPEN) ||
      !bytesAt(bytes, end - 2, CLOSE) ||
      !bytesAt(bytes, end - 154, PREV_HASH_OPEN) ||
      !bytesAt(bytes, end - 76, HASH_OPEN)
    )
      return false;
    // seq: 1–16 decimal digits without a leading zero, then a comma.
    let seq = 0;
    let at = start + SEQ_OPEN.length;
    for (; at < start + SEQ_OPEN.length + 17; at += 1) {
      const digit = (bytes[at] ?? 0) - 0x30;
      if (digit < 0 || digit > 9 || (digit === 0 && seq === 0)) break;
      seq = seq * 10 + digit;
    }
    if (seq === 0 || bytes[at] !== 0x2c || at - start - SEQ_OPEN.length > 16) return false;
    // prev_hash is `<64 hex>` at end − 140, hash at end − 66 (compared in place, no string made).
    // A segment of a parallel verification starts mid-chain: the stitcher checks its link.
    if (!this.segmentStart && (seq !== this.headSeq + 1 || !hexAt(bytes, end - 140, this.#head)))
      return false;
    const digest = this.#unhashedLineDigest(bytes, start, end);
    if (!hexAt(bytes, end - 66, digest)) return false;
    if (this.segmentStart) {
      this.segmentStart = false;
      this.first = { seq, prevHash: bytes.toString('latin1', end - 140, end - 76) };
      this.tree = new CompactRange(seq - 1);
    }
    this.accept(seq, digest, undefined, bytes, start, end);
    return true;
  }

  /** The chain hash input: the domain prefix, then the line up to its prev_hash value, then `"}`. */
  readonly #chainInput = new HashScratch(Buffer.from(AUDIT_HASH_PREFIX, 'utf8'));

  /**
   * The chain hash of a canonical line's bytes without its `hash` member (what
   * {@link hashUnhashedLine} computes from text), as a binary string: no decoding, no string
   * concatenation, no hex encoding.
   */
  #unhashedLineDigest(bytes: Buffer, start: number, end: number): string {
    return hash('sha256', this.#chainInput.fill(bytes, start, end - HASH_MEMBER_LENGTH, CLOSE), 'binary');
  }

  /** The head entry's hash (hex). */
  private get headHash(): string {
    this.#headHex ??= Buffer.from(this.#head, 'latin1').toString('hex');
    return this.#headHex;
  }

  /**
   * Records an accepted line: the chain head (its hash as a binary-string digest, and as hex
   * when the caller has that already), the tree leaf, the watched sizes.
   */
  private accept(
    seq: number,
    digest: string,
    hex: string | undefined,
    bytes: Buffer,
    start: number,
    end: number,
  ): void {
    this.headSeq = seq;
    this.#head = digest;
    this.#headHex = hex;
    this.accepted += 1;
    this.tree.addLeaf(bytes, start, end);
    if (this.watchSet.has(seq)) {
      this.watched.set(seq, this.headHash);
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
    copy.#head = this.#head;
    copy.#headHex = this.#headHex;
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
    return this.pushBytes(Buffer.from(line, 'utf8'));
  }

  /**
   * Checks the next line given as its bytes (without the `\n`), which are the Merkle leaf.
   * The buffer is only read during the call. Returns false once the chain has failed.
   */
  pushBytes(bytes: Buffer, start = 0, end = bytes.length): boolean {
    if (this.failure) return false;
    if (this.trailerCheckpoint !== undefined) {
      return this.fail(AuditVerifyReason.Malformed, 'a line follows the checkpoint trailer');
    }
    if (bytesAt(bytes, start, CHECKPOINT_TRAILER))
      return this.pushTrailer(bytes.toString('utf8', start, end));
    if (!this.strict && this.pushFast(bytes, start, end)) return true;
    // The full path. Bytes that are not UTF-8 cannot be what the writer hashed, and decoding
    // them would replace them with U+FFFD, so the text could hash right while the bytes differ.
    if (!isUtf8(bytes.subarray(start, end)))
      return this.fail(AuditVerifyReason.Malformed, 'line is not valid UTF-8');
    const line = bytes.toString('utf8', start, end);
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
      this.#head = hexToDigest(parsed.prev_hash);
      this.#headHex = parsed.prev_hash;
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
    this.accept(parsed.seq, hexToDigest(hash), hash, bytes, start, end);
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
  /** The start of a line that the previous chunk did not finish (a copy: chunks are not ours to keep). */
  let pending: Buffer | undefined;
  for await (const input of source) {
    const chunk = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    if (pending !== undefined && newline >= 0) {
      const line = Buffer.concat([pending, chunk.subarray(0, newline)]);
      pending = undefined;
      if (!verifier.pushBytes(line)) return verifier;
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    while (newline >= 0) {
      if (!verifier.pushBytes(chunk, start, newline)) return verifier;
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      pending = pending === undefined ? Buffer.from(rest) : Buffer.concat([pending, rest]);
      if (pending.length > MAX_LINE_BYTES) {
        verifier.tooLong();
        return verifier;
      }
    }
  }
  if (pending !== undefined && pending.length > 0) verifier.tornTail();
  return verifier;
}

/** How much of an export file one read brings in (lines are cut out of it in place). */
const READ_BYTES = 4 * 1024 * 1024;

/**
 * Verifies the bytes [start, end) of a JSONL export file, as {@link verifyJsonlStream} does a
 * stream, but reading into one reused buffer: the lines are verified where they lie, and only
 * the unfinished last line of a read is moved to the front. I/O errors reject.
 */
export async function verifyJsonlRange(
  file: string,
  start: number,
  end: number,
  watch: Iterable<number> = [],
  segment = false,
  strict = false,
): Promise<ChainVerifier> {
  const verifier = new ChainVerifier(watch, segment, strict);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    let filled = 0;
    let position = start;
    while (position < end) {
      const { bytesRead } = await handle.read(
        buffer,
        filled,
        Math.min(buffer.length - filled, end - position),
        position,
      );
      if (bytesRead === 0) break;
      position += bytesRead;
      filled += bytesRead;
      const view = buffer.subarray(0, filled);
      let lineStart = 0;
      let newline = view.indexOf(0x0a);
      while (newline >= 0) {
        if (!verifier.pushBytes(view, lineStart, newline)) return verifier;
        lineStart = newline + 1;
        newline = view.indexOf(0x0a, lineStart);
      }
      filled -= lineStart;
      if (filled > MAX_LINE_BYTES) {
        verifier.tooLong();
        return verifier;
      }
      buffer.copyWithin(0, lineStart, lineStart + filled);
    }
    if (filled > 0) verifier.tornTail();
    return verifier;
  } finally {
    await handle.close();
  }
}
