import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeContainerOpenPool,
  containerOpenPool,
} from '../../../../../electron/core/domains/resources/open-pool.ts';
import { openContainerIntoDescriptor } from '../../../../../shared/node/crypto/container-file.ts';
import { sealContainerBuffer } from '../../../../../shared/node/crypto/container.ts';

describe("the process's container-opening pool", () => {
  afterEach(async () => {
    await closeContainerOpenPool();
  });

  it('by default keeps the calling thread free: one worker per core', () => {
    const pool = containerOpenPool();
    expect(pool.hasCallerLane).toBe(false);
    expect(pool.size).toBe(Math.min(availableParallelism(), 16));
    expect(containerOpenPool({ callerLane: true })).toBe(pool); // options apply when it is made
  });

  it('for one-shot commands: one worker fewer and the calling thread as the last lane, and it opens a file', async () => {
    const pool = containerOpenPool({ callerLane: true });
    expect(pool.hasCallerLane).toBe(true);
    expect(pool.size).toBe(Math.max(1, availableParallelism() - 1));
    expect(pool.lanes).toBe(pool.size + 1);
    expect(containerOpenPool()).toBe(pool);

    const dir = await mkdtemp(join(tmpdir(), 'fc-open-pool-'));
    try {
      const dek = randomBytes(32);
      const plaintext = randomBytes(40 * 1024 + 5);
      const containerPath = join(dir, 'item.fcr');
      await writeFile(
        containerPath,
        sealContainerBuffer(plaintext, { dek, resourceId: 'res-pool', chunkSize: 1024 }),
      );
      const outputPath = join(dir, 'item.out');
      const fd = openSync(outputPath, 'w');
      try {
        await expect(
          openContainerIntoDescriptor({ containerPath, fd, dek, resourceId: 'res-pool', pool }),
        ).resolves.toEqual({ plaintextSize: plaintext.length });
      } finally {
        closeSync(fd);
      }
      expect((await readFile(outputPath)).equals(plaintext)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
