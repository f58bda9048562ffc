import { describe, expect, it } from 'vitest';
import {
  checkLogAgainst,
  compareCheckpoints,
  formatCheckpointBody,
  openCheckpoint,
  parseCheckpointBody,
  signCheckpoint,
} from '../../../../shared/node/audit/audit-checkpoint.ts';
import { parseVerifierKey } from '../../../../shared/node/audit/signed-note.ts';
import { buildChain, checkpointKey } from './audit-fixture.ts';

describe('audit checkpoints (C2SP tlog-checkpoint)', () => {
  const key = checkpointKey();
  const { entries } = buildChain(20);
  const head = entries[19]!;

  it('formats the body as origin, decimal size and base64 head, and parses it back', () => {
    const body = formatCheckpointBody({ origin: key.name, size: 20, headHash: head.hash });
    expect(body).toBe(`${key.name}\n20\n${Buffer.from(head.hash, 'hex').toString('base64')}\n`);
    expect(parseCheckpointBody(body)).toEqual({ origin: key.name, size: 20, headHash: head.hash });
    expect(parseCheckpointBody(`${body}extension line\n`).size).toBe(20);
    for (const bad of [
      `${key.name}\n020\nAAAA\n`,
      `${key.name}\n-1\n${Buffer.alloc(32).toString('base64')}\n`,
      `${key.name}\n1\nAAAA\n`,
      'x\n1\n',
    ]) {
      expect(() => parseCheckpointBody(bad)).toThrow();
    }
  });

  it('signs and opens a checkpoint; another origin, another key or an edited size is rejected', () => {
    const note = signCheckpoint({ origin: key.name, size: 20, headHash: head.hash }, key.name, key.seed);
    const verifier = parseVerifierKey(key.verifierKey);
    expect(openCheckpoint(note, verifier, key.name)).toEqual({
      origin: key.name,
      size: 20,
      headHash: head.hash,
    });
    expect(() => openCheckpoint(note, verifier, 'other.example/log')).toThrow(/another log/);
    const stranger = checkpointKey();
    expect(() => openCheckpoint(note, parseVerifierKey(stranger.verifierKey))).toThrow();
    expect(() => openCheckpoint(note.replace('\n20\n', '\n21\n'), verifier)).toThrow(/does not verify/);
  });

  it('relates checkpoints and logs: shorter, inconsistent, stale and forked are all told apart', () => {
    const at = (size: number) => ({
      origin: key.name,
      size,
      headHash: size === 0 ? '0'.repeat(64) : entries[size - 1]!.hash,
    });
    const hashAt = (seq: number) => entries[seq - 1]?.hash;
    expect(checkLogAgainst(at(20), 20, hashAt)).toBeNull();
    expect(checkLogAgainst(at(10), 20, hashAt)).toBeNull();
    expect(checkLogAgainst(at(0), 0, hashAt)).toBeNull();
    expect(checkLogAgainst(at(20), 19, hashAt)).toBe('log_shorter_than_checkpoint');
    expect(checkLogAgainst({ ...at(10), headHash: head.hash }, 20, hashAt)).toBe(
      'log_inconsistent_with_checkpoint',
    );
    expect(compareCheckpoints(at(10), at(10))).toBe('same');
    expect(compareCheckpoints(at(10), at(12))).toBe('newer');
    expect(compareCheckpoints(at(12), at(10))).toBe('stale');
    expect(compareCheckpoints(at(10), { ...at(10), headHash: head.hash })).toBe('fork');
  });
});
