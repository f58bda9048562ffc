/**
 * Where a download's big part goes: a worker thread (big-part-sink.worker.ts) hashes it
 * with SHA-256 and writes it into the staging file by offset, while the calling thread
 * only receives it. Receiving TLS and hashing are each about one core-second per GiB on
 * a machine with SHA extensions; on one thread they take turns, on two they overlap
 * (`npm run bench -- unlock`). Pieces are copied into 1 MiB buffers that are
 * transferred to the worker and back once written, so the same few buffers carry the
 * whole download: a fresh buffer per MiB cost its page faults and a copy into cold
 * memory (512 MiB in 16 KiB pieces from memory: 0.99–1.51 CPU-s with fresh buffers,
 * 0.81–0.87 reused, on a loaded 2-core machine). The bytes not yet written are bounded by the
 * caller, who waits on {@link BigPartSink.drained} (docs/ARCHITECTURE.md §The unlock sequence).
 */
import { Worker } from 'node:worker_threads';
import type { SinkReply, SinkRequest } from './big-part-sink.protocol.ts';

/** Pieces are sent to the worker in buffers of this size (the last may be smaller). */
const BATCH_BYTES = 1024 * 1024;
/** Written buffers kept for reuse: more than the caller lets wait for the disk (8 MiB). */
const KEPT_BUFFERS = 16;

type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

/** An I/O failure in the worker (no space left, a removed file), with its errno code. */
export class SinkWriteError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'SinkWriteError';
    this.code = code;
  }
}

export class BigPartSink {
  readonly #worker: Worker;
  readonly #waiting = new Map<
    number,
    { resolve: (reply: SinkReply) => void; reject: (error: Error) => void }
  >();
  readonly #onWritten: (bytes: number) => void;
  #nextId = 0;
  /** The buffer being filled, and how far. */
  #batch: Buffer | undefined;
  #batchBytes = 0;
  /** Buffers the worker wrote and handed back. */
  #free: ArrayBuffer[] = [];
  #allocated = 0;
  #position: number;
  #unwritten = 0;
  #drainWaiters: Array<{ below: number; resolve: () => void; reject: (error: Error) => void }> = [];
  #failure: Error | undefined;

  /**
   * @param file the staging file (it must exist)
   * @param position where the next byte given to {@link write} goes
   * @param onWritten called with the count of bytes each time a batch is on disk
   */
  private constructor(file: string, position: number, onWritten: (bytes: number) => void) {
    this.#position = position;
    this.#onWritten = onWritten;
    this.#worker = new Worker(new URL('./big-part-sink.worker.ts', import.meta.url), {
      workerData: { file },
    });
    this.#worker.on('message', (reply: SinkReply) => {
      const entry = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      entry?.resolve(reply);
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) =>
      this.#fail(new Error(`the download's hashing thread exited (${code})`)),
    );
  }

  /** A sink whose SHA-256 already covers the file's bytes `[start, end)` (kept from an earlier attempt). */
  static async open(
    file: string,
    start: number,
    end: number,
    onWritten: (bytes: number) => void = () => {},
  ): Promise<BigPartSink> {
    const sink = new BigPartSink(file, end, onWritten);
    try {
      await sink.#call({ type: 'prefix', start, end });
    } catch (error) {
      await sink.close();
      throw error;
    }
    return sink;
  }

  /** The first failure of the worker (an I/O error), if any: later calls throw it. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Buffers made so far (the rest of the download reuses them): bounded, whatever the size. */
  get buffersAllocated(): number {
    return this.#allocated;
  }

  /** Bytes given to {@link write} that are not on disk yet. */
  get unwritten(): number {
    return this.#unwritten;
  }

  /** Queues a piece (hashed and written in order, at the next position); it is copied, so the caller may reuse it. */
  write(piece: Buffer): void {
    if (this.#failure) throw this.#failure;
    this.#unwritten += piece.length;
    for (let at = 0; at < piece.length;) {
      this.#batch ??= this.#freshBatch();
      const copied = piece.copy(this.#batch, this.#batchBytes, at);
      this.#batchBytes += copied;
      at += copied;
      if (this.#batchBytes === BATCH_BYTES) this.#send();
    }
  }

  /** Resolves once at most `below` bytes are waiting to be written (pass 0 after a {@link flush}). */
  drained(below: number): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#unwritten <= below) return Promise.resolve();
    return new Promise((resolve, reject) => this.#drainWaiters.push({ below, resolve, reject }));
  }

  /** Sends what is batched and waits until every byte given so far is hashed and on disk. */
  async flush(): Promise<void> {
    if (this.#batchBytes > 0) this.#send();
    await this.drained(0);
  }

  /** After the caller truncated the file back to `position`: a fresh SHA-256 from there. */
  async reset(position: number): Promise<void> {
    await this.flush();
    await this.#call({ type: 'reset' });
    this.#position = position;
  }

  /** The SHA-256 (hex) of every byte, after a {@link flush}. */
  async digest(): Promise<string> {
    await this.flush();
    const reply = await this.#call({ type: 'digest' });
    // #call rejects a failed reply, so this one is ok and carries the digest.
    return reply.digest ?? '';
  }

  async close(): Promise<void> {
    this.#fail(new Error('the download sink is closed'));
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
  }

  /**
   * A buffer of its own (never a slice of Node's shared pool or of a socket's read
   * buffer), so that transferring it detaches nothing else: one handed back, or a new one.
   */
  #freshBatch(): Buffer {
    const kept = this.#free.pop();
    if (kept !== undefined) return Buffer.from(kept);
    this.#allocated++;
    return Buffer.allocUnsafeSlow(BATCH_BYTES);
  }

  #send(): void {
    const length = this.#batchBytes;
    const batch = this.#batch;
    if (batch === undefined || length === 0) return;
    const bytes = batch.subarray(0, length);
    const position = this.#position;
    this.#batch = undefined;
    this.#batchBytes = 0;
    this.#position += length;
    this.#call({ type: 'write', position, bytes }, [batch.buffer as ArrayBuffer]).then(
      (reply) => {
        if (reply.bytes !== undefined && this.#free.length < KEPT_BUFFERS)
          this.#free.push(reply.bytes.buffer as ArrayBuffer);
        this.#unwritten -= length;
        this.#onWritten(length);
        this.#drainWaiters = this.#drainWaiters.filter((waiter) => {
          if (this.#unwritten > waiter.below) return true;
          waiter.resolve();
          return false;
        });
      },
      () => {}, // #fail has rejected the waiters already
    );
  }

  #call(request: Unnumbered<SinkRequest>, transfer: ArrayBuffer[] = []): Promise<SinkReply & { ok: true }> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, {
        resolve: (reply) => {
          if (reply.ok) return resolve(reply);
          const error = new SinkWriteError(reply.error, reply.code);
          this.#fail(error);
          reject(error);
        },
        reject,
      });
      this.#worker.postMessage({ ...request, id } as SinkRequest, transfer);
    });
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const entry of this.#waiting.values()) entry.reject(this.#failure);
    this.#waiting.clear();
    for (const waiter of this.#drainWaiters) waiter.reject(this.#failure);
    this.#drainWaiters = [];
  }
}
