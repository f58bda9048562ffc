/**
 * Worker thread of big-part-sink.ts: hashes the big part of a download with SHA-256 and
 * writes it into the staging file by offset, so that the thread receiving it from the
 * network does neither (docs/ARCHITECTURE.md §The unlock sequence). Messages, in order:
 * big-part-sink.protocol.ts. The staging file is opened once, from `workerData.file`.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { SinkReply, SinkRequest } from './big-part-sink.protocol.ts';

const port = parentPort;
if (port === null) throw new Error('big-part-sink.worker.ts must run as a worker thread');
const { file } = workerData as { file: string };
const PREFIX_READ = 1024 * 1024;

let fd: number | undefined;
let hash: Hash = createHash('sha256');

function descriptor(): number {
  fd ??= fs.openSync(file, 'r+');
  return fd;
}

function hashPrefix(start: number, end: number): void {
  hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(PREFIX_READ);
  for (let at = start; at < end;) {
    const read = fs.readSync(descriptor(), buffer, 0, Math.min(buffer.length, end - at), at);
    if (read === 0) throw new Error(`${file} ended at ${at} while hashing its first ${end} bytes`);
    hash.update(buffer.subarray(0, read));
    at += read;
  }
}

function write(position: number, bytes: Uint8Array): void {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  hash.update(buffer);
  for (let done = 0; done < buffer.length;) {
    done += fs.writeSync(descriptor(), buffer, done, buffer.length - done, position + done);
  }
}

port.on('message', (request: SinkRequest) => {
  let reply: SinkReply;
  const transfer: ArrayBuffer[] = [];
  try {
    if (request.type === 'prefix') hashPrefix(request.start, request.end);
    else if (request.type === 'write') write(request.position, request.bytes);
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
  port.postMessage(reply, transfer);
});
