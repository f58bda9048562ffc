/**
 * The download's sink (big-part-sink.ts) on its own: pieces of every size — smaller than
 * its 1 MiB buffers, across their boundaries, several buffers long, and one piece buffer
 * the caller refills after each write, as a socket does — come out in the file at their
 * offsets with the SHA-256 of exactly those bytes, a resumed sink hashes the kept prefix
 * first, the buffers the worker wrote are reused (a 64 MiB download makes only a few), and
 * a staging file that cannot be opened fails the sink with its errno code.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BigPartSink, SinkWriteError } from '../../../../../electron/core/domains/resources/big-part-sink.ts';

const MiB = 1024 * 1024;
let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'big-part-sink-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Feeds `data` to the sink in pieces of the given sizes (cycled), through one reused buffer. */
async function feed(sink: BigPartSink, data: Buffer, sizes: number[]): Promise<void> {
  const scratch = Buffer.alloc(Math.max(...sizes));
  let turn = 0;
  for (let at = 0; at < data.length; turn++) {
    const size = Math.min(sizes[turn % sizes.length]!, data.length - at);
    data.copy(scratch, 0, at, at + size);
    sink.write(scratch.subarray(0, size));
    scratch.fill(0xee); // the caller reuses its buffer at once: the sink must have copied
    at += size;
    if (sink.unwritten > 8 * MiB) await sink.drained(4 * MiB);
  }
}

describe('BigPartSink', () => {
  it('writes pieces of any size at their offsets and hashes exactly those bytes', async () => {
    const file = path.join(dir, 'staged');
    const offset = 4096;
    await fs.writeFile(file, Buffer.alloc(offset, 7));
    const data = randomBytes(5 * MiB + 12_345);
    const sink = await BigPartSink.open(file, offset, offset);
    try {
      await feed(sink, data, [1, 16_384, MiB - 1, 3, 2 * MiB + 5, 65_536, 700_001]);
      const digest = await sink.digest();
      expect(digest).toBe(createHash('sha256').update(data).digest('hex'));
      expect(sink.unwritten).toBe(0);
    } finally {
      await sink.close();
    }
    const written = await fs.readFile(file);
    expect(written.length).toBe(offset + data.length);
    expect(written.subarray(0, offset).equals(Buffer.alloc(offset, 7))).toBe(true);
    expect(written.subarray(offset).equals(data)).toBe(true);
  });

  it('a resumed sink hashes the kept prefix, then continues after it', async () => {
    const file = path.join(dir, 'staged');
    const offset = 100;
    const data = randomBytes(3 * MiB + 17);
    const kept = MiB + 999;
    await fs.writeFile(file, Buffer.concat([Buffer.alloc(offset), data.subarray(0, kept)]));
    const sink = await BigPartSink.open(file, offset, offset + kept);
    try {
      await feed(sink, data.subarray(kept), [65_536, 333]);
      expect(await sink.digest()).toBe(createHash('sha256').update(data).digest('hex'));
    } finally {
      await sink.close();
    }
    expect((await fs.readFile(file)).subarray(offset).equals(data)).toBe(true);
  });

  it('reuses the buffers the worker wrote: 64 MiB through a few of them', async () => {
    const file = path.join(dir, 'staged');
    await fs.writeFile(file, Buffer.alloc(0));
    const data = randomBytes(64 * MiB);
    const sink = await BigPartSink.open(file, 0, 0);
    try {
      await feed(sink, data, [65_536]);
      expect(await sink.digest()).toBe(createHash('sha256').update(data).digest('hex'));
      // At most the bytes let wait for the disk (8 MiB) plus the one being filled.
      expect(sink.buffersAllocated).toBeGreaterThan(0);
      expect(sink.buffersAllocated).toBeLessThanOrEqual(10);
    } finally {
      await sink.close();
    }
  });

  it('fails with the errno code when the staging file cannot be opened, and stays failed', async () => {
    const missing = path.join(dir, 'missing');
    const sink = await BigPartSink.open(missing, 0, 0);
    try {
      sink.write(randomBytes(MiB));
      const failure = await sink.flush().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(SinkWriteError);
      expect((failure as SinkWriteError).code).toBe('ENOENT');
      expect(sink.failure).toBe(failure);
      expect(() => sink.write(Buffer.alloc(1))).toThrow(SinkWriteError);
    } finally {
      await sink.close();
    }
    // With a kept prefix to hash, the sink does not open at all.
    const opening = BigPartSink.open(missing, 0, MiB);
    await expect(opening).rejects.toBeInstanceOf(SinkWriteError);
    await expect(opening).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
