import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openContainerFile,
  openContainerIntoDescriptor,
} from '../../../../shared/node/crypto/container-file.ts';
import {
  chunkRange,
  openContainer,
  parseContainerHeader,
  sealContainerBuffer,
} from '../../../../shared/node/crypto/container.ts';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { ContainerOpenPool } from '../../../../shared/node/crypto/parallel-open.ts';
import { drain } from './container-helpers.ts';

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
  // One worker and the calling thread as the second lane (what the one-shot CLI commands use).
  const lanePool = new ContainerOpenPool(1, { callerLane: true });
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fc-container-file-'));
  });
  afterAll(async () => {
    await pool.close();
    await lanePool.close();
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

  it('opens on the pool, on a worker plus the calling thread, and on the calling thread, to a 0600 file', async () => {
    expect(lanePool.lanes).toBe(2);
    for (const [name, options] of [
      ['pool', { pool }],
      ['lane', { pool: lanePool }],
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
    for (const [lane, usePool] of [
      ['pool', pool],
      ['lane', lanePool],
      ['here', undefined],
    ] as const) {
      for (const [name, bytes, keyResource] of cases) {
        const { result, outputPath } = await attempt(bytes, `${name}-${lane}`, {
          ...(usePool === undefined ? {} : { pool: usePool }),
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
  const pools = {
    pool: new ContainerOpenPool(2),
    lane: new ContainerOpenPool(1, { callerLane: true }),
    here: undefined,
  };
  type Lane = keyof typeof pools;
  const lanes = Object.keys(pools) as Lane[];
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fc-container-fd-'));
  });
  afterAll(async () => {
    await pools.pool.close();
    await pools.lane.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function intoFd(bytes: Buffer, name: string, lane: Lane, keys = { dek, resourceId }) {
    const containerPath = join(dir, `${name}.fcr`);
    const outputPath = join(dir, `${name}.out`);
    await writeFile(containerPath, bytes);
    const fd = openSync(outputPath, 'w');
    const pool = pools[lane];
    try {
      const result = await openContainerIntoDescriptor({
        containerPath,
        fd,
        ...keys,
        ...(pool === undefined ? {} : { pool }),
      }).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      return { result, output: await readFile(outputPath) };
    } finally {
      closeSync(fd);
    }
  }

  it('writes the whole plaintext by offset, on the pool, a worker plus the calling thread, and the calling thread', async () => {
    for (const lane of lanes) {
      const { result, output } = await intoFd(sealed, `good-${lane}`, lane);
      expect(result).toEqual({ ok: true, value: { plaintextSize: plaintext.length } });
      expect(output.equals(plaintext)).toBe(true);
    }
  });

  it('a damaged chunk anywhere: the one error, and the file is empty again (no verified chunk left behind)', async () => {
    for (const index of [0, 17, header.chunkCount - 1]) {
      const damaged = Buffer.from(sealed);
      const at = chunkRange(header, index).start + 20;
      damaged[at] = damaged[at]! ^ 1;
      for (const lane of lanes) {
        const { result, output } = await intoFd(damaged, `bad-${index}-${lane}`, lane);
        expect(result.ok).toBe(false);
        expect(result.ok ? undefined : result.error).toBeInstanceOf(IntegrityError);
        expect(output.length, `chunk ${index}`).toBe(0);
      }
    }
  });

  it('property: every lane gives the bytes of the streaming reference opener, or fails exactly when it fails, leaving the file empty', async () => {
    /** What the reference (openContainer, one chunk at a time in order) makes of some bytes. */
    const reference = async (bytes: Buffer, keys: { dek: Buffer; resourceId: string }) => {
      const { released, error } = await drain(openContainer([bytes], keys));
      return error === undefined ? { ok: true as const, released } : { ok: false as const, error };
    };
    const damage = fc.oneof(
      fc.record({ kind: fc.constant('none' as const) }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
      fc.record({ kind: fc.constant('wrongKey' as const) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 12 * 256 }),
        fc.integer({ min: 1, max: 16 }).map((blocks) => blocks * 16),
        damage,
        async (size, chunkSize, change) => {
          const plain = randomBytes(size);
          let bytes = sealContainerBuffer(plain, { dek, resourceId, chunkSize });
          const parsed = parseContainerHeader(bytes);
          let keys = { dek, resourceId };
          if (change.kind === 'flip') {
            bytes = Buffer.from(bytes);
            const at = change.at % bytes.length;
            bytes[at] = bytes[at]! ^ (1 << change.bit);
          } else if (change.kind === 'truncate') {
            bytes = bytes.subarray(0, change.at % bytes.length);
          } else if (change.kind === 'swap' && parsed.chunkCount >= 2) {
            const a = chunkRange(parsed, change.a % (parsed.chunkCount - 1));
            const b = chunkRange(parsed, (change.a % (parsed.chunkCount - 1)) + 1);
            bytes = Buffer.concat([
              bytes.subarray(0, a.start),
              bytes.subarray(b.start, b.end),
              bytes.subarray(a.start, a.end),
              bytes.subarray(b.end),
            ]);
          } else if (change.kind === 'wrongKey') {
            keys = { dek: randomBytes(32), resourceId };
          }
          const expected = await reference(bytes, keys);
          for (const lane of lanes) {
            const { result, output } = await intoFd(bytes, `prop-${run++}-${lane}`, lane, keys);
            if (expected.ok) {
              expect(result, `${change.kind} on ${lane}`).toEqual({
                ok: true,
                value: { plaintextSize: size },
              });
              expect(output.equals(expected.released), lane).toBe(true);
              expect(output.equals(plain), lane).toBe(true);
            } else {
              expect(expected.error).toBeInstanceOf(IntegrityError);
              expect(result.ok, `${change.kind} on ${lane}`).toBe(false);
              expect(result.ok ? undefined : result.error).toBeInstanceOf(IntegrityError);
              expect(output.length, `${change.kind} on ${lane}`).toBe(0);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
