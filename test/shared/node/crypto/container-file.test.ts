import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openContainerFile,
  openContainerIntoDescriptor,
} from '../../../../shared/node/crypto/container-file.ts';
import {
  chunkRange,
  parseContainerHeader,
  sealContainerBuffer,
} from '../../../../shared/node/crypto/container.ts';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { ContainerOpenPool } from '../../../../shared/node/crypto/parallel-open.ts';

const CHUNK = 1024;
const resourceId = 'res-file';

describe('openContainerFile (file → file, all or nothing)', () => {
  const dek = randomBytes(32);
  const plaintext = randomBytes(37 * CHUNK + 100); // 38 chunks: several batches of 8
  const sealed = sealContainerBuffer(plaintext, { dek, resourceId, chunkSize: CHUNK });
  const ranges = Array.from({ length: parseContainerHeader(sealed).chunkCount }, (_, i) =>
    chunkRange(parseContainerHeader(sealed), i),
  );
  const pool = new ContainerOpenPool(2);
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fc-container-file-'));
  });
  afterAll(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function attempt(
    bytes: Buffer,
    name: string,
    options: { pool?: ContainerOpenPool; keyResource?: string } = {},
  ) {
    const containerPath = join(dir, `${name}.fcr`);
    const outputPath = join(dir, `${name}.out`);
    await writeFile(containerPath, bytes);
    const result = openContainerFile({
      containerPath,
      outputPath,
      dek,
      resourceId: options.keyResource ?? resourceId,
      ...(options.pool === undefined ? {} : { pool: options.pool }),
    });
    return { result, outputPath };
  }

  it('opens on the pool and on the calling thread, to a 0600 file', async () => {
    for (const [name, options] of [
      ['pool', { pool }],
      ['here', {}],
    ] as const) {
      const { result, outputPath } = await attempt(sealed, name, options);
      await expect(result).resolves.toEqual({ plaintextSize: plaintext.length });
      expect((await readFile(outputPath)).equals(plaintext)).toBe(true);
      expect((await stat(outputPath)).mode & 0o777).toBe(0o600);
    }
    const empty = sealContainerBuffer(Buffer.alloc(0), { dek, resourceId, chunkSize: CHUNK });
    const { result, outputPath } = await attempt(empty, 'empty', { pool });
    await expect(result).resolves.toEqual({ plaintextSize: 0 });
    expect((await readFile(outputPath)).length).toBe(0);
  });

  it('any damage: the one error, no output file, no temporary file left behind', async () => {
    const flipped = Buffer.from(sealed);
    flipped[ranges[29]!.start + 50] = flipped[ranges[29]!.start + 50]! ^ 4;
    const swapped = Buffer.concat([
      sealed.subarray(0, ranges[3]!.start),
      sealed.subarray(ranges[4]!.start, ranges[4]!.end),
      sealed.subarray(ranges[3]!.start, ranges[3]!.end),
      sealed.subarray(ranges[4]!.end),
    ]);
    const cases: Array<[string, Buffer, string?]> = [
      ['flipped', flipped],
      ['swapped', swapped],
      ['truncated', sealed.subarray(0, ranges[20]!.start)],
      ['extended', Buffer.concat([sealed, sealed.subarray(ranges[0]!.start, ranges[0]!.end)])],
      ['header-only', sealed.subarray(0, 68)],
      ['nothing', Buffer.alloc(0)],
      ['wrong-resource', sealed, 'res-other'],
    ];
    for (const usePool of [true, false]) {
      for (const [name, bytes, keyResource] of cases) {
        const { result, outputPath } = await attempt(bytes, `${name}-${usePool}`, {
          ...(usePool ? { pool } : {}),
          ...(keyResource === undefined ? {} : { keyResource }),
        });
        await expect(result, name).rejects.toBeInstanceOf(IntegrityError);
        await expect(stat(outputPath), name).rejects.toMatchObject({ code: 'ENOENT' });
      }
    }
    expect((await readdir(dir)).filter((file) => file.endsWith('.partial'))).toEqual([]);
  });

  it('a failed open leaves an existing destination as it was', async () => {
    const outputPath = join(dir, 'keep.out');
    await writeFile(outputPath, 'previous');
    const containerPath = join(dir, 'keep.fcr');
    await writeFile(containerPath, sealed.subarray(0, sealed.length - 1));
    await expect(
      openContainerFile({ containerPath, outputPath, dek, resourceId, pool }),
    ).rejects.toBeInstanceOf(IntegrityError);
    expect(await readFile(outputPath, 'utf8')).toBe('previous');
  });
});

describe('openContainerIntoDescriptor (into an empty file the caller holds open: cat NAME > file)', () => {
  const dek = randomBytes(32);
  const plaintext = randomBytes(37 * CHUNK + 100);
  const sealed = sealContainerBuffer(plaintext, { dek, resourceId, chunkSize: CHUNK });
  const header = parseContainerHeader(sealed);
  const pool = new ContainerOpenPool(2);
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fc-container-fd-'));
  });
  afterAll(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function intoFd(bytes: Buffer, name: string, usePool: boolean) {
    const containerPath = join(dir, `${name}.fcr`);
    const outputPath = join(dir, `${name}.out`);
    await writeFile(containerPath, bytes);
    const fd = openSync(outputPath, 'w');
    try {
      const result = await openContainerIntoDescriptor({
        containerPath,
        fd,
        dek,
        resourceId,
        ...(usePool ? { pool } : {}),
      }).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      return { result, output: await readFile(outputPath) };
    } finally {
      closeSync(fd);
    }
  }

  it('writes the whole plaintext by offset, on the pool and on the calling thread', async () => {
    for (const usePool of [true, false]) {
      const { result, output } = await intoFd(sealed, `good-${usePool}`, usePool);
      expect(result).toEqual({ ok: true, value: { plaintextSize: plaintext.length } });
      expect(output.equals(plaintext)).toBe(true);
    }
  });

  it('a damaged chunk anywhere: the one error, and the file is empty again (no verified chunk left behind)', async () => {
    for (const index of [0, 17, header.chunkCount - 1]) {
      const damaged = Buffer.from(sealed);
      const at = chunkRange(header, index).start + 20;
      damaged[at] = damaged[at]! ^ 1;
      for (const usePool of [true, false]) {
        const { result, output } = await intoFd(damaged, `bad-${index}-${usePool}`, usePool);
        expect(result.ok).toBe(false);
        expect(result.ok ? undefined : result.error).toBeInstanceOf(IntegrityError);
        expect(output.length, `chunk ${index}`).toBe(0);
      }
    }
  });
});
