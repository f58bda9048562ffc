/**
 * Whether this process's stdout is an empty regular file written from its start —
 * what the shell hands over for `factory-console cat NAME > file`. Then the chunks can
 * be written by offset, in parallel, straight into it. Anything else (a pipe, a
 * terminal, `>>`, a file that already holds bytes) is written as a stream, in order.
 *
 * The offset and the O_APPEND flag come from Linux's /proc/self/fdinfo; where that is
 * not readable the answer is no, and the stream path is used.
 */
import { fstatSync, readFileSync } from 'node:fs';

const O_APPEND = 0o2000;

export function stdoutIsEmptyFile(fd = 1): boolean {
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size !== 0) return false;
    const fdinfo = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
    const pos = /^pos:\s+(\d+)$/m.exec(fdinfo)?.[1];
    const flags = /^flags:\s+([0-7]+)$/m.exec(fdinfo)?.[1];
    if (pos === undefined || flags === undefined) return false;
    return Number(pos) === 0 && (Number.parseInt(flags, 8) & O_APPEND) === 0;
  } catch {
    return false;
  }
}
