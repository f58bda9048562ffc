import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  consistencyProof,
  EMPTY_TREE_ROOT,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromInclusionProof,
  storedHashCount,
  storedHashIndex,
  treeHash,
  TreeRangeError,
  verifyConsistency,
  verifyInclusion,
  type StoredHashReader,
} from '../../../../shared/node/audit/merkle-tree.ts';

interface Vectors {
  leaves_hex: string[];
  empty_root: string;
  roots_by_size: string[];
  node_hashes_by_level: string[][];
  inclusion_proofs: { leaf_index: number; tree_size: number; proof: string[] }[];
  consistency_proofs: { from: number; to: number; proof: string[] }[];
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../fixtures/rfc6962/vectors.json', import.meta.url), 'utf8'),
) as Vectors;
const hex = (value: string): Buffer => Buffer.from(value, 'hex');
const leaves = vectors.leaves_hex.map(hex);

/** A stored-hash log in memory, built only through CompactRange (as the server builds it). */
function buildStore(data: readonly Uint8Array[]): { read: StoredHashReader; stored: Buffer[] } {
  const range = new CompactRange();
  const stored: Buffer[] = [];
  for (const leaf of data) {
    for (const node of range.appendLeaf(leaf)) {
      expect(storedHashIndex(node.level, node.index)).toBe(stored.length);
      stored.push(node.hash);
    }
  }
  return {
    stored,
    read: (indexes) => Promise.resolve(indexes.map((index) => stored[index]!)),
  };
}

/** The RFC 6962 definition, recursively, as the reference for larger trees. */
function referenceRoot(data: readonly Buffer[]): Buffer {
  if (data.length === 0) return EMPTY_TREE_ROOT;
  if (data.length === 1) return leafHash(data[0]!);
  let k = 1;
  while (k * 2 < data.length) k *= 2;
  return nodeHash(referenceRoot(data.slice(0, k)), referenceRoot(data.slice(k)));
}

describe('RFC 6962 Merkle tree (published vectors)', () => {
  const { read, stored } = buildStore(leaves);

  it('hashes the empty tree as SHA-256 of nothing and every prefix of the example tree to its root', async () => {
    expect(EMPTY_TREE_ROOT.toString('hex')).toBe(vectors.empty_root);
    for (let size = 0; size <= leaves.length; size += 1) {
      expect((await treeHash(size, read)).toString('hex')).toBe(vectors.roots_by_size[size]);
    }
    expect(stored).toHaveLength(storedHashCount(leaves.length));
  });

  it('stores every complete subtree hash of the vectors at its storage number', () => {
    vectors.node_hashes_by_level.forEach((level, levelNumber) => {
      level.forEach((expected, index) => {
        expect(stored[storedHashIndex(levelNumber, index)]!.toString('hex')).toBe(expected);
      });
    });
  });

  it('produces and verifies the published inclusion proofs; any change to them fails', async () => {
    for (const vector of vectors.inclusion_proofs) {
      const proof = await inclusionProof(vector.leaf_index, vector.tree_size, read);
      expect(proof.map((node) => node.toString('hex'))).toEqual(vector.proof);
      const root = hex(vectors.roots_by_size[vector.tree_size]!);
      const leaf = leafHash(leaves[vector.leaf_index]!);
      expect(verifyInclusion(vector.leaf_index, vector.tree_size, leaf, proof, root)).toBe(true);
      const probes: [number, number, Buffer, Buffer[], Buffer][] = [
        [vector.leaf_index + 1, vector.tree_size, leaf, proof, root],
        [vector.leaf_index, vector.tree_size * 2, leaf, proof, root],
        [vector.leaf_index, vector.tree_size, leafHash('WrongLeaf'), proof, root],
        [vector.leaf_index, vector.tree_size, leaf, proof, EMPTY_TREE_ROOT],
        [vector.leaf_index, vector.tree_size, leaf, [...proof, root], root],
        [vector.leaf_index, vector.tree_size, leaf, [root, ...proof], root],
      ];
      if (vector.leaf_index > 0) probes.push([vector.leaf_index - 1, vector.tree_size, leaf, proof, root]);
      if (vector.tree_size > 1) probes.push([vector.leaf_index, vector.tree_size / 2, leaf, proof, root]);
      proof.forEach((_, position) => {
        const flipped = proof.map((node) => Buffer.from(node));
        flipped[position]![0]! ^= 8;
        probes.push([vector.leaf_index, vector.tree_size, leaf, flipped, root]);
      });
      if (proof.length > 0)
        probes.push([vector.leaf_index, vector.tree_size, leaf, proof.slice(0, -1), root]);
      for (const [index, size, leafProbe, proofProbe, rootProbe] of probes) {
        expect(verifyInclusion(index, size, leafProbe, proofProbe, rootProbe)).toBe(false);
      }
    }
  });

  it('produces and verifies the published consistency proofs; any change to them fails', async () => {
    for (const vector of vectors.consistency_proofs) {
      const proof = await consistencyProof(vector.from, vector.to, read);
      expect(proof.map((node) => node.toString('hex'))).toEqual(vector.proof);
      const first = hex(vectors.roots_by_size[vector.from]!);
      const second = hex(vectors.roots_by_size[vector.to]!);
      expect(verifyConsistency(vector.from, vector.to, first, second, proof)).toBe(true);
      if (proof.length === 0) continue;
      const probes: [number, number, Buffer, Buffer, Buffer[]][] = [
        [vector.from - 1, vector.to, first, second, proof],
        [vector.from + 1, vector.to, first, second, proof],
        [vector.from, vector.to * 2, first, second, proof],
        [vector.from, vector.to, second, first, proof],
        [vector.from, vector.to, first, second, []],
        [vector.from, vector.to, first, second, [...proof, first]],
        [vector.from, vector.to, first, second, [proof[0]!, ...proof]],
        [vector.from, vector.to, first, second, proof.slice(0, -1)],
      ];
      proof.forEach((_, position) => {
        const flipped = proof.map((node) => Buffer.from(node));
        flipped[position]![0]! ^= 16;
        probes.push([vector.from, vector.to, first, second, flipped]);
      });
      for (const [from, to, a, b, p] of probes) expect(verifyConsistency(from, to, a, b, p)).toBe(false);
    }
  });

  it('treats the trivial cases as RFC 9162 does', () => {
    const root = hex(vectors.roots_by_size[3]!);
    expect(verifyConsistency(0, 3, EMPTY_TREE_ROOT, root, [])).toBe(true);
    expect(verifyConsistency(3, 3, root, root, [])).toBe(true);
    expect(verifyConsistency(3, 3, root, EMPTY_TREE_ROOT, [])).toBe(false);
    expect(verifyConsistency(3, 3, root, root, [root])).toBe(false);
    expect(verifyConsistency(4, 3, root, root, [])).toBe(false);
    expect(rootFromInclusionProof(0, 0, leafHash(''), [])).toBeUndefined();
  });

  it('refuses a proof request for a leaf outside the tree or a shrinking tree', async () => {
    await expect(inclusionProof(8, 8, read)).rejects.toBeInstanceOf(TreeRangeError);
    await expect(consistencyProof(5, 4, read)).rejects.toBeInstanceOf(TreeRangeError);
    await expect(inclusionProof(-1, 8, read)).rejects.toBeInstanceOf(TreeRangeError);
  });
});

describe('Merkle tree beyond the vectors', () => {
  const data = Array.from({ length: 300 }, (_, index) => Buffer.from(`entry ${index}`));
  const { read } = buildStore(data);

  it('computes the RFC 6962 root of every size up to 300 from stored hashes', async () => {
    for (let size = 0; size <= data.length; size += 1) {
      expect((await treeHash(size, read)).equals(referenceRoot(data.slice(0, size)))).toBe(true);
    }
  });

  it('verifies inclusion and consistency proofs for every pair of sizes up to 40', async () => {
    for (let to = 1; to <= 40; to += 1) {
      const root = await treeHash(to, read);
      for (let index = 0; index < to; index += 1) {
        const proof = await inclusionProof(index, to, read);
        expect(verifyInclusion(index, to, leafHash(data[index]!), proof, root)).toBe(true);
      }
      for (let from = 0; from <= to; from += 1) {
        const proof = await consistencyProof(from, to, read);
        expect(verifyConsistency(from, to, await treeHash(from, read), root, proof)).toBe(true);
      }
    }
  });

  it('merges compact ranges cut anywhere into the same root (the parallel verifier stitches this way)', () => {
    for (const cuts of [
      [0, 300],
      [0, 1, 300],
      [0, 3, 97, 256, 300],
      [0, 128, 129, 299, 300],
    ]) {
      const ranges = cuts.slice(0, -1).map((start, position) => {
        const range = new CompactRange(start);
        for (let index = start; index < cuts[position + 1]!; index += 1) range.appendLeaf(data[index]!);
        return range;
      });
      const whole = ranges[0]!;
      for (const next of ranges.slice(1)) whole.merge(next);
      expect(whole.root().equals(referenceRoot(data))).toBe(true);
    }
    expect(() => new CompactRange(5).root()).toThrow(TreeRangeError);
    expect(() => new CompactRange(0).merge(new CompactRange(3))).toThrow(TreeRangeError);
  });

  it('resumes a compact range from stored hashes, as an append after a restart does', async () => {
    const resumed = await CompactRange.ofTree(173, read);
    for (let index = 173; index < 300; index += 1) resumed.appendLeaf(data[index]!);
    expect(resumed.root().equals(referenceRoot(data))).toBe(true);
  });
});
