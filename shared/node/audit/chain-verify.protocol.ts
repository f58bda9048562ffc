/**
 * What the parallel file verifier (audit-file-verifier.ts) and its worker
 * (chain-verify.worker.ts) send each other; both import this file, never each other.
 */
import type { ChainVerifier } from './audit-chain-verifier.ts';
import { CompactRange } from './merkle-tree.ts';

/** One worker's byte range. */
export interface SegmentJob {
  file: string;
  start: number;
  end: number;
  watch: number[];
  strict: boolean;
}

/** A compact range as it crosses from a worker (hashes in hex). */
export interface SerializedRange {
  start: number;
  nodes: { level: number; index: number; hash: string }[];
}

/** A compact range in the form a worker posts. */
export function serializeRange(range: CompactRange): SerializedRange {
  return {
    start: range.start,
    nodes: range.nodes.map(({ level, index, hash }) => ({ level, index, hash: hash.toString('hex') })),
  };
}

export function deserializeRange(range: SerializedRange): CompactRange {
  return new CompactRange(
    range.start,
    range.nodes.map(({ level, index, hash }) => ({ level, index, hash: Buffer.from(hash, 'hex') })),
  );
}

/** What a worker reports about its range. */
export interface SegmentReport {
  first: { seq: number; prevHash: string } | null;
  accepted: number;
  headSeq: number;
  headHash: string;
  failure: { reason: string; message: string } | null;
  watched: [number, string][];
  trailer: string | null;
  /** The Merkle tree's compact range over the segment's accepted lines. */
  tree: SerializedRange;
  watchedTrees: [number, SerializedRange][];
}

/** What a segment's verifier found, in the form the stitcher takes (from a worker or the caller's thread). */
export function segmentReport(verifier: ChainVerifier, watch: readonly number[]): SegmentReport {
  const result = verifier.result();
  return {
    first: verifier.first ?? null,
    accepted: verifier.accepted,
    headSeq: result.head_seq,
    headHash: result.head_hash,
    failure: result.ok ? null : { reason: result.reason ?? 'malformed', message: result.message ?? '' },
    watched: watch.flatMap((seq) => {
      const hash = verifier.hashAt(seq);
      return hash === undefined ? [] : [[seq, hash] as [number, string]];
    }),
    trailer: verifier.trailerCheckpoint ?? null,
    tree: serializeRange(verifier.tree),
    watchedTrees: watch.flatMap((seq) => {
      const tree = verifier.treeAt(seq);
      return tree === undefined ? [] : [[seq, serializeRange(tree)] as [number, SerializedRange]];
    }),
  };
}
