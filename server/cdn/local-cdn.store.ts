/**
 * The default CDN store: a directory (`data/cdn/`, 0700) of files written to a
 * temporary name and renamed, so a reader never sees a partial object.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CDN_OBJECT_PATTERN, type CdnHealth, type CdnRetention, type CdnStore } from './cdn-store.ts';

export class LocalCdnStore implements CdnStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  #path(name: string): string {
    // Names are server-made, but check anyway: a path must never leave the root.
    if (!CDN_OBJECT_PATTERN.test(name)) throw new Error(`invalid CDN object name ${JSON.stringify(name)}`);
    return path.join(this.root, name);
  }

  async put(name: string, source: AsyncIterable<Uint8Array>): Promise<number> {
    const file = this.#path(name);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    let size = 0;
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(temporary, { mode: 0o600, highWaterMark: 4 * 1024 * 1024 }),
      );
      await fs.rename(temporary, file);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
    return size;
  }

  async size(name: string): Promise<number | undefined> {
    try {
      const info = await fs.stat(this.#path(name));
      return info.isFile() ? info.size : undefined;
    } catch {
      return undefined;
    }
  }

  read(name: string, start: number, end: number): Readable {
    // 1 MiB reads: fewer syscalls and event-loop turns than the 64 KiB default.
    return createReadStream(this.#path(name), { start, end, highWaterMark: 1024 * 1024 });
  }

  async delete(name: string): Promise<void> {
    await fs.rm(this.#path(name), { force: true });
  }

  async check(): Promise<CdnHealth> {
    try {
      await fs.mkdir(this.root, { recursive: true, mode: 0o700 });
      await fs.access(this.root, fs.constants.W_OK);
      return { ok: true, detail: 'big parts in the data directory (cdn/)' };
    } catch (error) {
      return {
        ok: false,
        reason: 'config',
        variable: 'FACTORY_DATA_DIR',
        detail: `the CDN directory is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      };
    }
  }

  retention(): CdnRetention {
    return { state: 'off', detail: 'local directory: no object lock (back up data/cdn/)' };
  }
}
