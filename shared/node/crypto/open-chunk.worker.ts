/**
 * Worker thread of parallel-open.ts: verifies and decrypts the chunks it is sent,
 * or opens a run of chunks of a container file into the output by offset
 * (chunk-range-file.ts). Messages: open-chunk.protocol.ts.
 * Trust boundary: keys arrive in `begin` messages from the parent thread of the
 * same process; chunks are untrusted bytes, checked by openChunkParts (tag before
 * decryption). A failed chunk answers `ok: false` with no plaintext and no detail.
 */
import { parentPort } from 'node:worker_threads';
import { openChunkParts, parseContainerHeader } from './container-format.ts';
import type { ContainerHeader, ContainerKeys } from './container-format.ts';
import { openChunkRangeToFile } from './chunk-range-file.ts';
import { IntegrityError } from './errors.ts';
import type { FileJobRequest, WorkerReply, WorkerRequest } from './open-chunk.protocol.ts';

const sessions = new Map<number, { keys: ContainerKeys; header: ContainerHeader }>();
const port = parentPort;
if (port === null) throw new Error('open-chunk.worker.ts must run as a worker thread');

/** A piece can be transferred (not copied) only when it owns its whole ArrayBuffer (not Node's shared pool). */
function ownsBuffer(piece: Buffer): boolean {
  return piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function openJob(session: number, index: number, chunk: Uint8Array): Buffer[] | undefined {
  const state = sessions.get(session);
  if (state === undefined) return undefined;
  try {
    return openChunkParts(state.keys, state.header, index, toBuffer(chunk));
  } catch {
    return undefined;
  }
}

function fileJob(request: FileJobRequest): WorkerReply {
  const keys = {
    encKey: toBuffer(request.encKey),
    macKey: toBuffer(request.macKey),
    resourceIdHash: toBuffer(request.resourceIdHash),
  };
  try {
    const header = parseContainerHeader(request.header);
    const output =
      request.outputFd !== undefined ? { outputFd: request.outputFd } : { outputPath: request.outputPath };
    openChunkRangeToFile(keys, header, request.containerPath, output, request.first, request.end);
    return { id: request.id, ok: true, parts: [] };
  } catch (error) {
    // Integrity failures carry no detail; an I/O error's message names a path, not a secret.
    return error instanceof IntegrityError
      ? { id: request.id, ok: false }
      : { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    keys.encKey.fill(0);
    keys.macKey.fill(0);
  }
}

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'file') {
    port.postMessage(fileJob(request) satisfies WorkerReply);
    return;
  }
  if (request.type === 'begin') {
    const keys = {
      encKey: toBuffer(request.encKey),
      macKey: toBuffer(request.macKey),
      resourceIdHash: toBuffer(request.resourceIdHash),
    };
    sessions.set(request.session, { keys, header: parseContainerHeader(request.header) });
    return;
  }
  if (request.type === 'end') {
    const state = sessions.get(request.session);
    state?.keys.encKey.fill(0);
    state?.keys.macKey.fill(0);
    sessions.delete(request.session);
    return;
  }
  const { chunk } = request;
  const giveBack =
    chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength
      ? [chunk.buffer as ArrayBuffer]
      : [];
  const parts = openJob(request.session, request.index, chunk);
  if (parts === undefined) {
    port.postMessage({ id: request.id, ok: false, chunk } satisfies WorkerReply, giveBack);
    return;
  }
  const owned = parts.map((part) => (ownsBuffer(part) ? part : Buffer.from(part)));
  const transfer = owned.filter(ownsBuffer).map((part) => part.buffer as ArrayBuffer);
  port.postMessage({ id: request.id, ok: true, parts: owned, chunk } satisfies WorkerReply, [
    ...transfer,
    ...giveBack,
  ]);
});
