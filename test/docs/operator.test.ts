/**
 * docs/OPERATOR.md's unlock walkthrough can be run as written: every file it exports to
 * (`--out FILE`, `> FILE`) is a new name — never the file it published, never an earlier
 * export — since `unlock --out` refuses an existing file (and `>` would replace it).
 */
import { readFileSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const guide = readFileSync(join(root, 'docs/OPERATOR.md'), 'utf8');
const walkthrough = /<!-- section:unlock -->([\s\S]*?)<!-- \/section:unlock -->/.exec(guide)?.[1] ?? '';
const commands = [...walkthrough.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((block) => block[1]!.split('\n'))
  .map((line) => line.replace(/\s+#.*$/, ''));

it('the unlock walkthrough publishes a file and exports only to new names', () => {
  const published = commands.flatMap((line) =>
    [...line.matchAll(/resources publish (\S+)/g)].map((m) => m[1]!),
  );
  const exports = commands.flatMap((line) =>
    [...line.matchAll(/(?:--out|>)\s*(\S+)/g)].map((match) => normalize(match[1]!)),
  );
  expect(published.map((file) => normalize(file))).toEqual(['firmware.bin']);
  expect(exports.length).toBeGreaterThanOrEqual(2);
  expect(exports).not.toContain('firmware.bin');
  expect(new Set(exports).size).toBe(exports.length);
});
