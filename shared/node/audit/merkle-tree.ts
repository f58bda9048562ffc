/**
 * RFC 6962 / RFC 9162 Merkle tree math for the audit log (docs/SECURITY.md, "The audit log as
 * a transparency log"): leaf and node hashes, tree hashes over stored subtree hashes, inclusion
 * and consistency proofs and their verification, and compact ranges (the right edge of a tree,
 * used to append in O(log n) and to compute a root while streaming an export).
 *
 * Written here, not taken from npm: no maintained npm package implements RFC 6962 tree hashes
 * *and* both proofs *and* stored-hash addressing for tlog tiles (the Merkle packages on npm are
 * Ethereum/Bitcoin-style trees with other hashing rules; sigstore's verifier checks inclusion
 * only and is internal to its bundle format). The algorithms follow RFC 9162 §2.1 step by step
 * and are tested against the published RFC 6962 example vectors (test/fixtures/rfc6962/) and
 * against Go's golang.org/x/mod/sumdb/tlog (test/server/audit/tlog-go-verifier.test.ts).
 *
 * Stored hashes: every complete subtree (level k, index n) covering leaves
 * [n·2^k, (n+1)·2^k) has one hash, numbered in the order a log appends them
 * ({@link storedHashIndex}), so storage is append-only and any proof reads O(log n) of them.
 */
import { hash } from 'node:crypto';
import { HashScratch } from './hash-scratch.ts';

/** SHA-256 output size. */
export const HASH_BYTES = 32;

/** The root of the empty tree: SHA-256 of nothing (RFC 9162 §2.1.1). */
export const EMPTY_TREE_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

/**
 * Hashes in this file are computed as 32-character latin1 strings ("binary strings": one char
 * per byte) and turned into Buffers only where a caller needs one. node:crypto's one-shot
 * `hash(…, 'buffer')` gives every digest an ArrayBuffer of its own, which costs about three times
 * a 'latin1' digest; the streaming verifier computes two hashes per entry, so this is most of
 * verify_1m_s in `npm run bench -- audit`.
 */
type BinaryHash = string;

const toBuffer = (value: BinaryHash): Buffer => Buffer.from(value, 'latin1');

/**
 * Scratch inputs for the hashes below, so a leaf or node hash copies its input once instead of
 * allocating a concatenation. HAZMAT: only for the synchronous one-shot hashes in this file — the
 * contents are overwritten by the next call and never escape.
 */
const leafScratch = new HashScratch(Uint8Array.of(0x00));
const nodeScratch = Buffer.alloc(1 + 2 * HASH_BYTES);

const asBuffer = (data: Uint8Array): Buffer =>
  Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

function leafDigest(data: Uint8Array | string, start = 0, end = data.length): BinaryHash {
  // '\0' + text encodes as the 0x00 prefix followed by the text's UTF-8: one call, no copy.
  if (typeof data === 'string') return hash('sha256', `\0${data}`, 'binary');
  return hash('sha256', leafScratch.fill(asBuffer(data), start, end), 'binary');
}

function nodeDigest(left: BinaryHash, right: BinaryHash): BinaryHash {
  nodeScratch[0] = 0x01;
  // A copy loop, not Buffer#write: for 32 chars the encoding lookup and native call of write()
  // cost more than the copy (the verifier makes one node hash per entry).
  for (let index = 0; index < HASH_BYTES; index += 1) {
    nodeScratch[1 + index] = left.charCodeAt(index);
    nodeScratch[1 + HASH_BYTES + index] = right.charCodeAt(index);
  }
  return hash('sha256', nodeScratch, 'binary');
}

/** Leaf hash: SHA-256(0x00 ‖ data). A string is hashed as its UTF-8 bytes. */
export function leafHash(data: Uint8Array | string): Buffer {
  return toBuffer(leafDigest(data));
}

/** Interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES)
    return toBuffer(hash('sha256', Buffer.concat([Buffer.from([0x01]), left, right]), 'binary'));
  nodeScratch[0] = 0x01;
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + HASH_BYTES);
  return toBuffer(hash('sha256', nodeScratch, 'binary'));
}

/** Bad proof input (a size beyond the tree, from > to …): the caller's mistake, not tampering. */
export class TreeRangeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'TreeRangeError';
  }
}

function popcount(value: number): number {
  let count = 0;
  let high = Math.floor(value / 2 ** 32);
  let low = value >>> 0;
  while (low !== 0) {
    low &= low - 1;
    count += 1;
  }
  while (high !== 0) {
    high &= high - 1;
    count += 1;
  }
  return count;
}

function checkSize(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new TreeRangeError(`${what} must be an integer ≥ 0`);
}

/** How many hashes a log of `size` leaves has stored: 2·size − popcount(size). */
export function storedHashCount(size: number): number {
  checkSize(size, 'tree size');
  return 2 * size - popcount(size);
}

/**
 * The storage number of the hash of subtree (level, n). It is stored right after leaf
 * m = (n+1)·2^level − 1 is appended, after that leaf's hash and the `level − 1` nodes below it.
 */
export function storedHashIndex(level: number, n: number): number {
  if (!Number.isInteger(level) || level < 0 || level > 52) throw new TreeRangeError('level out of range');
  checkSize(n, 'node index');
  const lastLeaf = (n + 1) * 2 ** level - 1;
  checkSize(lastLeaf, 'leaf index');
  return storedHashCount(lastLeaf) + level;
}

/** A complete subtree: `level` 0 is a leaf; it covers leaves [index·2^level, (index+1)·2^level). */
export interface SubtreeId {
  level: number;
  index: number;
}

/** Largest power of two strictly below `n` (n ≥ 2), the split point of RFC 9162 §2.1.1. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The complete subtrees that cover leaves [start, end), left to right (greedy, aligned). Their
 * hashes folded from the right give MTH of that range whenever `start` is aligned as in proofs.
 */
export function coveringSubtrees(start: number, end: number): SubtreeId[] {
  const out: SubtreeId[] = [];
  let at = start;
  while (at < end) {
    let level = 0;
    while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= end) level += 1;
    out.push({ level, index: at / 2 ** level });
    at += 2 ** level;
  }
  return out;
}

/** Folds covering-subtree hashes (left to right) into the range's hash. */
export function foldSubtrees(hashes: readonly Buffer[]): Buffer {
  let result = hashes.at(-1);
  if (!result) return EMPTY_TREE_ROOT;
  for (let index = hashes.length - 2; index >= 0; index -= 1) result = nodeHash(hashes[index]!, result);
  return result;
}

/** A leaf range [start, end) whose MTH is one element of a proof. */
export type LeafRange = readonly [start: number, end: number];

function inclusionRanges(index: number, lo: number, hi: number, out: LeafRange[]): void {
  if (hi - lo <= 1) return;
  const k = splitPoint(hi - lo);
  if (index < lo + k) {
    inclusionRanges(index, lo, lo + k, out);
    out.push([lo + k, hi]);
  } else {
    inclusionRanges(index, lo + k, hi, out);
    out.push([lo, lo + k]);
  }
}

/** The ranges whose hashes form PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), bottom first. */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  checkSize(index, 'leaf index');
  checkSize(size, 'tree size');
  if (index >= size) throw new TreeRangeError(`leaf ${index} is not in a tree of size ${size}`);
  const out: LeafRange[] = [];
  inclusionRanges(index, 0, size, out);
  return out;
}

function subproofRanges(m: number, lo: number, hi: number, complete: boolean, out: LeafRange[]): void {
  const n = hi - lo;
  if (m === n) {
    if (!complete) out.push([lo, hi]);
    return;
  }
  const k = splitPoint(n);
  if (m <= k) {
    subproofRanges(m, lo, lo + k, complete, out);
    out.push([lo + k, hi]);
  } else {
    subproofRanges(m - k, lo + k, hi, false, out);
    out.push([lo, lo + k]);
  }
}

/** The ranges whose hashes form PROOF(from, D[0:to]) (RFC 9162 §2.1.4.1). Empty when from is 0 or equals to. */
export function consistencyProofRanges(from: number, to: number): LeafRange[] {
  checkSize(from, 'first tree size');
  checkSize(to, 'second tree size');
  if (from > to) throw new TreeRangeError(`a tree of size ${from} cannot grow into one of size ${to}`);
  const out: LeafRange[] = [];
  if (from === 0 || from === to) return out;
  subproofRanges(from, 0, to, true, out);
  return out;
}

/** Reads stored hashes by storage number (one round trip for a whole proof). */
export type StoredHashReader = (indexes: readonly number[]) => Promise<Buffer[]>;

/** The MTH of each range, from stored hashes: O(log n) reads per range, all in one call. */
export async function rangeHashes(ranges: readonly LeafRange[], read: StoredHashReader): Promise<Buffer[]> {
  const plans = ranges.map(([start, end]) =>
    coveringSubtrees(start, end).map(({ level, index }) => storedHashIndex(level, index)),
  );
  const wanted = [...new Set(plans.flat())].sort((a, b) => a - b);
  const hashes = await read(wanted);
  if (hashes.length !== wanted.length) throw new Error('the hash store returned the wrong number of hashes');
  const byIndex = new Map(wanted.map((storage, position) => [storage, hashes[position]!]));
  return plans.map((plan) => foldSubtrees(plan.map((storage) => byIndex.get(storage)!)));
}

/** The tree hash MTH(D[0:size]) from stored hashes. */
export async function treeHash(size: number, read: StoredHashReader): Promise<Buffer> {
  checkSize(size, 'tree size');
  if (size === 0) return EMPTY_TREE_ROOT;
  const [root] = await rangeHashes([[0, size]], read);
  return root!;
}

/** The inclusion proof of leaf `index` in the tree of `size` leaves, from stored hashes. */
export async function inclusionProof(index: number, size: number, read: StoredHashReader): Promise<Buffer[]> {
  return rangeHashes(inclusionProofRanges(index, size), read);
}

/** The consistency proof from tree size `from` to `to`, from stored hashes. */
export async function consistencyProof(from: number, to: number, read: StoredHashReader): Promise<Buffer[]> {
  return rangeHashes(consistencyProofRanges(from, to), read);
}

const isHash = (value: Uint8Array): boolean => value.length === HASH_BYTES;
const lsb = (value: number): boolean => value % 2 === 1;
const half = (value: number): number => Math.floor(value / 2);

/** The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or undefined when it cannot be valid. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    return undefined;
  if (!isHash(leaf) || !proof.every(isHash)) return undefined;
  let fn = index;
  let sn = size - 1;
  let result: Buffer = Buffer.from(leaf);
  for (const sibling of proof) {
    if (sn === 0) return undefined;
    if (lsb(fn) || fn === sn) {
      result = nodeHash(sibling, result);
      while (!lsb(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      result = nodeHash(result, sibling);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? result : undefined;
}

/** Whether `proof` shows leaf `index` (hash `leaf`) in the tree of `size` leaves with `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(index, size, leaf, proof);
  return computed !== undefined && isHash(root) && computed.equals(root);
}

/**
 * Whether `proof` shows the tree of `from` leaves with `fromRoot` is a prefix of the tree of
 * `to` leaves with `toRoot` (RFC 9162 §2.1.4.2). A tree of size 0 is a prefix of every tree.
 */
export function verifyConsistency(
  from: number,
  to: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) return false;
  if (!isHash(fromRoot) || !isHash(toRoot) || !proof.every(isHash)) return false;
  if (from === to) return proof.length === 0 && Buffer.from(fromRoot).equals(toRoot);
  if (from === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = popcount(from) === 1 ? [fromRoot, ...proof] : [...proof];
  let fn = from - 1;
  let sn = to - 1;
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const node of path.slice(1)) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(node, fr);
      sr = nodeHash(node, sr);
      while (!lsb(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, node);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(fromRoot) && sr.equals(toRoot);
}

/** A complete subtree with its hash. */
export interface SubtreeHash extends SubtreeId {
  hash: Buffer;
}

/**
 * A compact range: the hashes of the complete subtrees that cover leaves [start, end), left to
 * right (at most 2·log n of them). Appending a leaf merges siblings as they complete, and hands
 * back each newly complete subtree — exactly the hashes a log stores for that leaf. Two adjacent
 * ranges merge the same way, which is how a parallel verifier stitches its segments.
 *
 * The subtrees are kept as parallel arrays with binary-string hashes (see {@link BinaryHash}), so
 * the verifier's {@link CompactRange.addLeaf} allocates nothing but the digests.
 */
export class CompactRange {
  #start: number;
  #end: number;
  readonly #levels: number[] = [];
  readonly #indexes: number[] = [];
  readonly #hashes: BinaryHash[] = [];

  constructor(start = 0, nodes: readonly SubtreeHash[] = []) {
    this.#start = start;
    this.#end = start;
    for (const { level, index, hash } of nodes) {
      this.#levels.push(level);
      this.#indexes.push(index);
      this.#hashes.push(hash.toString('latin1'));
      this.#end = (index + 1) * 2 ** level;
    }
  }

  /** The range [start, end) of a log of `size` leaves, from stored hashes: the right edge to append to. */
  static async ofTree(size: number, read: StoredHashReader): Promise<CompactRange> {
    const ids = coveringSubtrees(0, size);
    const hashes = await read(ids.map(({ level, index }) => storedHashIndex(level, index)));
    return new CompactRange(
      0,
      ids.map((id, position) => ({ ...id, hash: hashes[position]! })),
    );
  }

  get start(): number {
    return this.#start;
  }

  get end(): number {
    return this.#end;
  }

  /** The covering subtrees, left to right (copies). */
  get nodes(): SubtreeHash[] {
    return this.#hashes.map((hash, position) => ({
      level: this.#levels[position]!,
      index: this.#indexes[position]!,
      hash: toBuffer(hash),
    }));
  }

  /** Adds the next leaf's hash; returns every subtree it completes, the leaf first. */
  appendLeafHash(leaf: Buffer): SubtreeHash[] {
    const done: SubtreeHash[] = [];
    this.#push(0, this.#end, leaf.toString('latin1'), done);
    this.#end += 1;
    return done;
  }

  /** Adds the next leaf (its data); returns the subtrees it completes. */
  appendLeaf(data: Uint8Array | string): SubtreeHash[] {
    const done: SubtreeHash[] = [];
    this.#push(0, this.#end, leafDigest(data), done);
    this.#end += 1;
    return done;
  }

  /**
   * Adds the next leaf, `data[start, end)`, when the completed subtrees are not needed (a
   * verifier): nothing is allocated but the digests.
   */
  addLeaf(data: Buffer, start = 0, end = data.length): void {
    this.#push(0, this.#end, leafDigest(data, start, end), undefined);
    this.#end += 1;
  }

  #push(level: number, index: number, hash: BinaryHash, done: SubtreeHash[] | undefined): void {
    const levels = this.#levels;
    const indexes = this.#indexes;
    const hashes = this.#hashes;
    let top = levels.length;
    // Siblings: the same level, the left one an even index (they share a parent).
    while (top > 0 && levels[top - 1] === level && indexes[top - 1]! % 2 === 0) {
      done?.push({ level, index, hash: toBuffer(hash) });
      top -= 1;
      hash = nodeDigest(hashes[top]!, hash);
      level += 1;
      index = indexes[top]! / 2;
      levels.pop();
      indexes.pop();
      hashes.pop();
    }
    done?.push({ level, index, hash: toBuffer(hash) });
    levels.push(level);
    indexes.push(index);
    hashes.push(hash);
  }

  /** Appends the adjacent range `next` (which must start where this one ends). */
  merge(next: CompactRange): void {
    if (next.start !== this.#end) throw new TreeRangeError('compact ranges are not adjacent');
    for (let position = 0; position < next.#hashes.length; position += 1)
      this.#push(next.#levels[position]!, next.#indexes[position]!, next.#hashes[position]!, undefined);
    this.#end = next.end;
  }

  /** A copy (to snapshot the root at a watched size while streaming on). */
  clone(): CompactRange {
    const copy = new CompactRange(this.#start);
    copy.#end = this.#end;
    copy.#levels.push(...this.#levels);
    copy.#indexes.push(...this.#indexes);
    copy.#hashes.push(...this.#hashes);
    return copy;
  }

  /** MTH(D[0:end]); only a range that starts at 0 has a tree root. */
  root(): Buffer {
    if (this.#start !== 0) throw new TreeRangeError('only a range starting at leaf 0 has a root');
    let result = this.#hashes.at(-1);
    if (result === undefined) return EMPTY_TREE_ROOT;
    for (let position = this.#hashes.length - 2; position >= 0; position -= 1)
      result = nodeDigest(this.#hashes[position]!, result);
    return toBuffer(result);
  }
}
