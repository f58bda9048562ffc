/**
 * The other end of a download's sink (big-part-sink.ts), on the thread that started the
 * download (cdn-download.ts): hashes the big part with SHA-256 as its 1 MiB buffers come
 * in over a MessagePort and writes them into the staging file by offset, then hands each
 * buffer back. That thread waits for the download anyway, so hashing there overlaps the
 * download thread's receive as a third thread would, without a third isolate: one worker
 * thread costs 11–14 MiB of RSS, which the unlock's peak (beside the machine key's
 * scrypt) paid once more (docs/ARCHITECTURE.md §The crypto core, *Memory*). Requests are
 * served one at a time in the order they came (big-part-sink.protocol.ts); the file is
 * read and written through the thread pool, so this thread never waits on the disk.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { MessagePort } from 'node:worker_threads';
import type { SinkReply, SinkRequest } from './big-part-sink.protocol.ts';

const PREFIX_READ = 1024 * 1024;

export interface BigPartWriter {
  /** Waits for the request being served, closes the file and the port. */
  close(): Promise<void>;
}

/** Serves the sink's requests arriving on `port` for `file` (it must exist) until {@link BigPartWriter.close}. */
export function serveBigPart(port: MessagePort, file: string): BigPartWriter {
  let opened: Promise<fs.FileHandle> | undefined;
  let hash: Hash = createHash('sha256');
  let served: Promise<void> = Promise.resolve();
  let closed = false;
  const handle = () => (opened ??= fs.open(file, 'r+'));

  async function hashPrefix(start: number, end: number): Promise<void> {
    hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(PREFIX_READ);
    for (let at = start; at < end;) {
      const { bytesRead } = await (await handle()).read(buffer, 0, Math.min(buffer.length, end - at), at);
      if (bytesRead === 0) throw new Error(`${file} ended at ${at} while hashing its first ${end} bytes`);
      hash.update(buffer.subarray(0, bytesRead));
      at += bytesRead;
    }
  }

  async function write(position: number, bytes: Uint8Array): Promise<void> {
    hash.update(bytes);
    const written = await handle();
    for (let done = 0; done < bytes.length;) {
      const { bytesWritten } = await written.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  }

  async function serve(request: SinkRequest): Promise<void> {
    let reply: SinkReply;
    const transfer: ArrayBuffer[] = [];
    try {
      if (request.type === 'prefix') await hashPrefix(request.start, request.end);
      else if (request.type === 'write') await write(request.position, request.bytes);
      else if (request.type === 'reset') hash = createHash('sha256');
      if (request.type === 'digest') reply = { id: request.id, ok: true, digest: hash.digest('hex') };
      else if (request.type === 'write') {
        // Written: the buffer goes back to the sink, which fills it again.
        reply = { id: request.id, ok: true, bytes: request.bytes };
        transfer.push(request.bytes.buffer as ArrayBuffer);
      } else reply = { id: request.id, ok: true };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      reply = {
        id: request.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
        ...(code === undefined ? {} : { code }),
      };
    }
    if (!closed) port.postMessage(reply, transfer);
  }

  port.on('message', (request: SinkRequest) => {
    served = served.then(() => serve(request));
  });
  return {
    async close() {
      closed = true;
      port.close();
      await served;
      await (await opened?.catch(() => undefined))?.close();
    },
  };
}
