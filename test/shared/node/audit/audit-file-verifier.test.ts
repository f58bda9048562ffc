import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyJsonlFile } from '../../../../shared/node/audit/audit-file-verifier.ts';
import { buildChain, checkpointFor, checkpointKey, tempDir, writeExport } from './audit-fixture.ts';

const COUNT = 3000;
const { entries, lines } = buildChain(COUNT);
const key = checkpointKey();

describe('parallel file verification', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    temp = await tempDir();
  });
  afterAll(async () => temp.cleanup());

  const both = async (file: string, watch: number[] = []) => {
    const sequential = await verifyJsonlFile(file, watch, { parallelism: 1 });
    const parallel = await verifyJsonlFile(file, watch, { parallelism: 3, minSegmentBytes: 64 * 1024 });
    return { sequential, parallel };
  };

  it('gives the same verdict, head, watched hashes and trailer as one thread', async () => {
    const file = temp.file('ok.jsonl');
    const note = checkpointFor(entries, COUNT, key);
    await writeExport(file, lines, note);
    const { sequential, parallel } = await both(file, [1, 1234, COUNT]);
    expect(parallel.result).toEqual(sequential.result);
    expect(parallel.result.ok).toBe(true);
    expect(parallel.result.head_seq).toBe(COUNT);
    for (const seq of [1, 1234, COUNT]) expect(parallel.hashAt(seq)).toBe(entries[seq - 1]!.hash);
    expect(parallel.trailerCheckpoint).toBe(note);
  });

  it('finds the same first bad entry wherever it is, including segment edges', async () => {
    for (const bad of [0, 1500, COUNT - 1]) {
      const file = temp.file(`bad-${bad}.jsonl`);
      const edited = [...lines];
      edited[bad] = edited[bad]!.replace('"seq":', '"seq": ');
      await writeExport(file, edited);
      const { sequential, parallel } = await both(file);
      expect(sequential.result.ok).toBe(false);
      expect(sequential.result.first_bad_seq).toBe(bad + 1);
      expect(parallel.result).toEqual(sequential.result);
    }
  });

  it('finds a deleted line and a torn tail like the sequential verifier', async () => {
    const deleted = temp.file('deleted.jsonl');
    await writeExport(deleted, [...lines.slice(0, 1600), ...lines.slice(1601)]);
    const gap = await both(deleted);
    expect(gap.parallel.result).toEqual(gap.sequential.result);
    expect(gap.parallel.result.first_bad_seq).toBe(1601);
    const torn = temp.file('torn.jsonl');
    await writeExport(torn, lines);
    const { appendFile } = await import('node:fs/promises');
    await appendFile(torn, lines[0]!.slice(0, 40));
    const tail = await both(torn);
    expect(tail.parallel.result).toEqual(tail.sequential.result);
    expect(tail.parallel.result.reason).toBe('truncated_record');
    expect(tail.parallel.result.first_bad_seq).toBe(COUNT + 1);
  });
});
