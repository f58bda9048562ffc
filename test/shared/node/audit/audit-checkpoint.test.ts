import { describe, expect, it } from 'vitest';
import {
  compareCheckpoints,
  formatCheckpointBody,
  openCheckpoint,
  parseCheckpointBody,
  signCheckpoint,
  treeOrigin,
} from '../../../../shared/node/audit/audit-checkpoint.ts';
import { EMPTY_TREE_ROOT } from '../../../../shared/node/audit/merkle-tree.ts';
import { formatVerifierKey, parseVerifierKey, signNote } from '../../../../shared/node/audit/signed-note.ts';
import { buildChain, checkpointKey, rootOf } from './audit-fixture.ts';

describe('audit checkpoints (C2SP tlog-checkpoint over the Merkle root)', () => {
  const key = checkpointKey();
  const { entries } = buildChain(20);
  const root = rootOf(entries, 20);

  it('formats the body as origin, decimal size and base64 Merkle root, and parses it back', () => {
    const body = formatCheckpointBody({ origin: key.name, size: 20, rootHash: root });
    expect(body).toBe(`${key.name}\n20\n${Buffer.from(root, 'hex').toString('base64')}\n`);
    expect(parseCheckpointBody(body)).toEqual({ origin: key.name, size: 20, rootHash: root });
    expect(parseCheckpointBody(`${body}extension line\n`).size).toBe(20);
    for (const bad of [
      `${key.name}\n020\nAAAA\n`,
      `${key.name}\n-1\n${Buffer.alloc(32).toString('base64')}\n`,
      `${key.name}\n1\nAAAA\n`,
      // The empty tree's root is SHA-256 of nothing, not 32 zero bytes.
      `${key.name}\n0\n${Buffer.alloc(32).toString('base64')}\n`,
      'x\n1\n',
    ]) {
      expect(() => parseCheckpointBody(bad)).toThrow();
    }
    const empty = formatCheckpointBody({
      origin: key.name,
      size: 0,
      rootHash: EMPTY_TREE_ROOT.toString('hex'),
    });
    expect(empty).toBe(`${key.name}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`);
    expect(() => formatCheckpointBody({ origin: key.name, size: 0, rootHash: '0'.repeat(64) })).toThrow();
  });

  it('signs and opens a checkpoint; another origin, another key or an edited size is rejected', () => {
    const note = signCheckpoint({ origin: key.name, size: 20, rootHash: root }, key.name, key.seed);
    const verifier = parseVerifierKey(key.verifierKey);
    expect(openCheckpoint(note, verifier, key.name)).toEqual({ origin: key.name, size: 20, rootHash: root });
    expect(() => openCheckpoint(note, verifier, 'other.example/log/tlog')).toThrow(/another log/);
    const stranger = checkpointKey();
    expect(() => openCheckpoint(note, parseVerifierKey(stranger.verifierKey))).toThrow();
    expect(() => openCheckpoint(note.replace('\n20\n', '\n21\n'), verifier)).toThrow(/does not verify/);
  });

  it('refuses a legacy chain-head checkpoint and a legacy key by name, never reading a chain head as a root', () => {
    const legacyName = 'factory.test/audit';
    expect(treeOrigin(legacyName)).toBe(key.name);
    const headHash = Buffer.from(entries[19]!.hash, 'hex').toString('base64');
    const legacyNote = signNote(`${legacyName}\n20\n${headHash}\n`, legacyName, key.seed);
    const treeVerifier = parseVerifierKey(key.verifierKey);
    expect(() => openCheckpoint(legacyNote, treeVerifier)).toThrow(/legacy chain-head checkpoint/);
    const legacyVerifier = parseVerifierKey(formatVerifierKey(legacyName, key.publicKey));
    expect(() => openCheckpoint(legacyNote, legacyVerifier)).toThrow(/legacy chain-head checkpoint key/);
  });

  it('tells same, newer, stale and forked checkpoints apart', () => {
    const at = (size: number) => ({ origin: key.name, size, rootHash: rootOf(entries, size) });
    expect(compareCheckpoints(at(10), at(10))).toBe('same');
    expect(compareCheckpoints(at(10), at(12))).toBe('newer');
    expect(compareCheckpoints(at(12), at(10))).toBe('stale');
    expect(compareCheckpoints(at(10), { ...at(10), rootHash: root })).toBe('fork');
  });
});
