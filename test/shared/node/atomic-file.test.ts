import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileOnce, writeFileAtomic } from '../../../shared/node/atomic-file.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fc-atomic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('atomic files', () => {
  it('writes whole files, private by default, replacing the old one and leaving no temp file', async () => {
    const file = join(dir, 'nested', 'record.json');
    await writeFileAtomic(file, 'first');
    await writeFileAtomic(file, 'second');
    expect(await readFile(file, 'utf8')).toBe('second');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, 'nested'))).toEqual(['record.json']);
  });

  it('concurrent writers leave one complete version', async () => {
    const file = join(dir, 'contended.txt');
    const versions = Array.from({ length: 12 }, (_, index) => `version ${index} `.repeat(5000));
    await Promise.all(versions.map((content) => writeFileAtomic(file, content)));
    expect(versions).toContain(await readFile(file, 'utf8'));
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('creates a file once: among racing creators exactly one wins and its content stays', async () => {
    const file = join(dir, 'once.txt');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => createFileOnce(file, `creator ${index}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await readFile(file, 'utf8')).toBe(`creator ${results.indexOf(true)}`);
    expect(await createFileOnce(file, 'late')).toBe(false);
    expect(await readFile(file, 'utf8')).toBe(`creator ${results.indexOf(true)}`);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
