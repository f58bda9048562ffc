import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readJsonFile } from '../../../shared/node/json-file.ts';

const schema = z.strictObject({ name: z.string(), size: z.number().int() });
let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'json-file-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function written(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  return file;
}

describe('readJsonFile', () => {
  it('says which of missing, too large, not JSON, invalid or ok a file is', async () => {
    expect(await readJsonFile(path.join(dir, 'absent.json'), schema)).toEqual({ state: 'missing' });
    const big = await written('big.json', JSON.stringify({ name: 'x'.repeat(200), size: 1 }));
    expect(await readJsonFile(big, schema, { maxBytes: 100 })).toEqual({ state: 'too_large' });
    expect(await readJsonFile(big, schema, { maxBytes: 1000 })).toMatchObject({ state: 'ok' });
    expect(await readJsonFile(await written('cut.json', '{"name": "a", "si'), schema)).toEqual({
      state: 'not_json',
    });
    expect(await readJsonFile(await written('bad.json', '{"name": "a", "size": 1.5}'), schema)).toEqual({
      state: 'invalid',
      problem: expect.stringMatching(/^size: /),
    });
    expect(await readJsonFile(await written('good.json', '{"name": "a", "size": 2}'), schema)).toEqual({
      state: 'ok',
      value: { name: 'a', size: 2 },
    });
  });

  it('throws on other I/O errors instead of calling the file missing', async () => {
    await expect(readJsonFile(dir, schema)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
