/**
 * The messages between parallel-open.ts (the pool, on the calling thread) and
 * open-chunk.worker.ts (each worker thread). A file of its own so that neither side
 * imports the other: the pool only names the worker's URL.
 *
 * Key material crosses only to threads of this same process.
 */

/** Where a file job writes: a path the worker opens itself, or a descriptor of this process (e.g. stdout). */
export type FileJobOutput =
  { outputPath: string; outputFd?: never } | { outputFd: number; outputPath?: never };

export type WorkerRequest =
  | {
      type: 'begin';
      session: number;
      encKey: Uint8Array;
      macKey: Uint8Array;
      resourceIdHash: Uint8Array;
      header: Uint8Array;
    }
  | { type: 'chunk'; session: number; id: number; index: number; chunk: Uint8Array }
  | { type: 'end'; session: number }
  | FileJobRequest;

/** Chunks `[first, end)` of the container file into the output, by offset. */
export type FileJobRequest = {
  type: 'file';
  id: number;
  encKey: Uint8Array;
  macKey: Uint8Array;
  resourceIdHash: Uint8Array;
  header: Uint8Array;
  containerPath: string;
  first: number;
  end: number;
} & FileJobOutput;

/** A file job before the pool numbers it. */
export type UnnumberedFileJob = FileJobRequest extends infer Job
  ? Job extends unknown
    ? Omit<Job, 'id'>
    : never
  : never;

/**
 * `chunk` is the request's buffer handed back, so the parent can reuse it for a
 * later chunk (absent for file jobs). `error` marks a failure that is not an
 * integrity failure (an I/O error on a file job), with its message.
 */
export type WorkerReply =
  | { id: number; ok: true; parts: Uint8Array[]; chunk?: Uint8Array }
  | { id: number; ok: false; chunk?: Uint8Array; error?: string };
