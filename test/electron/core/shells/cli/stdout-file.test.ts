import { closeSync, openSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stdoutIsEmptyFile } from '../../../../../electron/core/shells/cli/stdout-file.ts';

describe('stdoutIsEmptyFile (when cat may write chunks by offset)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fc-stdout-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function withFd<T>(file: string, flags: string, body: (fd: number) => T): T {
    const fd = openSync(file, flags);
    try {
      return body(fd);
    } finally {
      closeSync(fd);
    }
  }

  it('yes for `> file` (an empty regular file at offset 0)', () => {
    expect(withFd(join(dir, 'new'), 'w', stdoutIsEmptyFile)).toBe(true);
  });

  it('no for `>> file` (O_APPEND: offsets would be ignored), even when the file is empty', () => {
    expect(withFd(join(dir, 'append'), 'a', stdoutIsEmptyFile)).toBe(false);
  });

  it('no for a file that already holds bytes (`1<> file`)', () => {
    const file = join(dir, 'full');
    writeFileSync(file, 'kept');
    expect(withFd(file, 'r+', stdoutIsEmptyFile)).toBe(false);
  });

  it('no for a character device or an unknown descriptor', () => {
    expect(withFd('/dev/null', 'w', stdoutIsEmptyFile)).toBe(false);
    expect(stdoutIsEmptyFile(987_654)).toBe(false);
  });
});
