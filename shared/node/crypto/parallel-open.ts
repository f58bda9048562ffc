/**
 * Parallel opening of FCR1 containers: chunk offsets follow from the header, so
 * chunks are verified and decrypted on worker threads while the calling thread
 * only reads and reorders. Output is in order and has the same guarantees as
 * `openContainer` (a chunk's plaintext is released only after its tag verified;
 * the first failure in order throws the one IntegrityError).
 *
 * Starting a worker costs ~100–300 ms (it loads the crypto modules), so the
 * product keeps one `ContainerOpenPool` for the process and opens every container
 * through it; `openContainerParallel` is the one-shot form. Containers with fewer
 * than MIN_PARALLEL_CHUNKS chunks open on the calling thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ByteReader } from './byte-reader.ts';
import { readContainerHeader } from './container.ts';
import type { ByteSource, OpenContainerOptions } from './container.ts';
import {
  MIN_PARALLEL_CHUNKS,
  chunkPlaintextLength,
  deriveContainerKeys,
  openChunkParts,
  storedChunkLength,
} from './container-format.ts';
import type { ContainerHeader, ContainerKeys } from './container-format.ts';
import { IntegrityError } from './errors.ts';
import type { FileJobOutput, UnnumberedFileJob, WorkerReply, WorkerRequest } from './open-chunk.protocol.ts';

export { MIN_PARALLEL_CHUNKS } from './container-format.ts';
/** Chunks queued per worker: enough to keep it busy, little enough to keep memory flat. */
const QUEUE_PER_WORKER = 2;

type ChunkResult = WorkerReply;

/** One worker thread with replies matched by id. */
class ChunkWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private failure: Error | undefined;

  constructor() {
    this.worker = new Worker(new URL('./open-chunk.worker.ts', import.meta.url));
    this.worker.unref(); // an idle pool must not keep the process alive
    this.worker.on('message', (reply: WorkerReply) => {
      const entry = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) this.worker.unref();
      entry?.resolve(reply);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`container worker exited (${code})`)));
  }

  /** Rejects every waiting chunk (the worker died or the pool closed); later sends throw. */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const entry of this.waiting.values()) entry.reject(error);
    this.waiting.clear();
  }

  send(request: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    if (this.failure !== undefined) throw this.failure;
    this.worker.postMessage(request, transfer);
  }

  trySend(request: WorkerRequest): void {
    if (this.failure === undefined) this.worker.postMessage(request);
  }

  /** Chunks or file jobs this worker has not answered yet. */
  get busy(): number {
    return this.waiting.size;
  }

  /** Sends a file job (keys and paths; no bytes cross threads). */
  run(request: UnnumberedFileJob): Promise<ChunkResult> {
    const id = this.nextId++;
    const result = new Promise<ChunkResult>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.worker.ref();
    this.send({ ...request, id } as WorkerRequest);
    return result;
  }

  /** Sends one stored chunk; its ArrayBuffer is transferred, so the chunk must own it. */
  open(session: number, index: number, chunk: Buffer): Promise<ChunkResult> {
    const id = this.nextId++;
    const result = new Promise<ChunkResult>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.worker.ref(); // results are awaited: keep the process alive until they arrive
    this.send({ type: 'chunk', session, id, index, chunk }, [chunk.buffer as ArrayBuffer]);
    return result;
  }

  async close(): Promise<void> {
    this.fail(new Error('ContainerOpenPool is closed'));
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

let nextSession = 0;

export interface ContainerOpenPoolOptions {
  /**
   * The calling thread opens chunks itself as one more lane: every (workers + 1)-th
   * chunk of a streaming `open`, and runs of chunks of a file open
   * (container-file.ts), between which it yields to the event loop. With
   * `workers = cores - 1` every core does crypto, none is oversubscribed, and one
   * worker fewer is started (for one-shot commands, whose event loop has nothing
   * else to serve). Default false.
   */
  callerLane?: boolean;
}

/** A pool of container-opening workers, kept for the life of the process (or until `close`). */
export class ContainerOpenPool {
  private readonly workers: ChunkWorker[] = [];
  private readonly callerLane: boolean;
  private closed = false;

  /** `size` worker threads (default: the machine's available parallelism, at most 16). */
  constructor(size: number = availableParallelism(), options: ContainerOpenPoolOptions = {}) {
    const count = Math.max(1, Math.min(Math.floor(size), 16));
    for (let i = 0; i < count; i++) this.workers.push(new ChunkWorker());
    this.callerLane = options.callerLane === true;
  }

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  /** Whether the calling thread opens chunks as one more lane (see ContainerOpenPoolOptions). */
  get hasCallerLane(): boolean {
    return this.callerLane;
  }

  /** Threads that open chunks: the workers, plus the calling thread with a caller lane. */
  get lanes(): number {
    return this.workers.length + (this.callerLane ? 1 : 0);
  }

  /** Like `openContainer`, with chunks verified and decrypted on the pool's workers. */
  async *open(source: ByteSource, options: OpenContainerOptions): AsyncGenerator<Buffer> {
    if (this.closed) throw new Error('ContainerOpenPool is closed');
    const keys = deriveContainerKeys(options.dek, options.resourceId);
    const reader = new ByteReader(source);
    const session = nextSession++;
    let begun = false;
    try {
      const header = await readContainerHeader(reader, keys);
      options.onHeader?.(header);
      if (header.chunkCount < MIN_PARALLEL_CHUNKS || this.workers.length + (this.callerLane ? 1 : 0) < 2) {
        yield* this.openHere(reader, keys, header);
        return;
      }
      for (const worker of this.workers) worker.send(beginRequest(session, keys, header));
      begun = true;
      yield* this.openOnWorkers(reader, session, keys, header);
    } finally {
      await reader.cancel();
      // Best effort: a dead or closed worker holds no session keys any more.
      if (begun) for (const worker of this.workers) worker.trySend({ type: 'end', session });
    }
  }

  private async *openHere(
    reader: ByteReader,
    keys: ContainerKeys,
    header: ContainerHeader,
  ): AsyncGenerator<Buffer> {
    for (let index = 0; index < header.chunkCount; index++) {
      const stored = await reader.read(storedChunkLength(chunkPlaintextLength(header, index)));
      yield* openChunkParts(keys, header, index, stored);
    }
    if (!(await reader.atEnd())) throw new IntegrityError();
  }

  private async *openOnWorkers(
    reader: ByteReader,
    session: number,
    keys: ContainerKeys,
    header: ContainerHeader,
  ): AsyncGenerator<Buffer> {
    const inFlight: Promise<ChunkResult>[] = [];
    const lanes = this.workers.length + (this.callerLane ? 1 : 0);
    const window = lanes * QUEUE_PER_WORKER;
    // Chunk buffers travel to a worker and back (transferred, not copied) and are
    // reused: fresh 1 MiB buffers would cost a page fault per 4 KiB every time.
    const fullLength = storedChunkLength(header.chunkSize);
    const spare: Buffer[] = [];
    const released = (result: ChunkResult): Buffer[] => {
      const back = result.chunk;
      if (back?.byteOffset === 0 && back.buffer.byteLength === fullLength)
        spare.push(Buffer.from(back.buffer));
      if (!result.ok) throw new IntegrityError();
      return result.parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength));
    };
    for (let index = 0; index < header.chunkCount; index++) {
      const length = storedChunkLength(chunkPlaintextLength(header, index));
      const slot =
        length === fullLength
          ? (spare.pop() ?? Buffer.allocUnsafeSlow(fullLength))
          : Buffer.allocUnsafeSlow(length);
      const stored = await reader.read(length, slot);
      if (stored.buffer !== slot.buffer) stored.copy(slot);
      const lane = index % lanes;
      if (lane === this.workers.length) {
        // The caller's own lane: verified and decrypted here, released in order below.
        inFlight.push(Promise.resolve(openHereResult(keys, header, index, slot.subarray(0, stored.length))));
        if (slot.length === fullLength) spare.push(slot);
        while (inFlight.length >= window) yield* released(await inFlight.shift()!);
        continue;
      }
      // A short read (truncation) is sent as is: the worker rejects it, in order.
      const job = this.workers[lane]!.open(session, index, slot.subarray(0, stored.length));
      job.catch(() => undefined); // awaited below in order; this only silences an abandoned tail
      inFlight.push(job);
      while (inFlight.length >= window) yield* released(await inFlight.shift()!);
    }
    for (const job of inFlight) yield* released(await job);
    if (!(await reader.atEnd())) throw new IntegrityError();
  }

  /**
   * HAZMAT (container-file.ts only): opens chunks `[first, end)` of a container file
   * into an existing output file on the least busy worker. Resolves true when they
   * verified, false on an integrity failure; rejects on an I/O error.
   */
  async openFileRange(
    keys: ContainerKeys,
    header: ContainerHeader,
    paths: { containerPath: string } & FileJobOutput,
    first: number,
    end: number,
  ): Promise<boolean> {
    if (this.closed) throw new Error('ContainerOpenPool is closed');
    const worker = this.workers.reduce((best, candidate) => (candidate.busy < best.busy ? candidate : best));
    const reply = await worker.run({
      type: 'file',
      encKey: keys.encKey,
      macKey: keys.macKey,
      resourceIdHash: keys.resourceIdHash,
      header: header.bytes,
      ...paths,
      first,
      end,
    });
    if (!reply.ok && reply.error !== undefined) throw new Error(reply.error);
    return reply.ok;
  }

  /** Stops the workers. Opens in progress fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}

/** One chunk opened on the calling thread, as a worker would answer it (no plaintext on failure). */
function openHereResult(
  keys: ContainerKeys,
  header: ContainerHeader,
  index: number,
  stored: Buffer,
): ChunkResult {
  try {
    return { id: -1, ok: true, parts: openChunkParts(keys, header, index, stored) };
  } catch {
    return { id: -1, ok: false };
  }
}

function beginRequest(session: number, keys: ContainerKeys, header: ContainerHeader): WorkerRequest {
  // Key material crosses only to threads of this same process.
  return {
    type: 'begin',
    session,
    encKey: keys.encKey,
    macKey: keys.macKey,
    resourceIdHash: keys.resourceIdHash,
    header: header.bytes,
  };
}

export interface ParallelOpenOptions extends OpenContainerOptions {
  /** Worker threads (default: the machine's available parallelism). 1 opens on the calling thread. */
  workers?: number;
}

/** One-shot parallel open: starts a pool, opens, and stops it. Prefer a long-lived ContainerOpenPool. */
export async function* openContainerParallel(
  source: ByteSource,
  options: ParallelOpenOptions,
): AsyncGenerator<Buffer> {
  const pool = new ContainerOpenPool(options.workers ?? availableParallelism());
  try {
    yield* pool.open(source, options);
  } finally {
    await pool.close();
  }
}
