/**
 * The messages between big-part-sink.ts (the download, on the calling thread) and
 * big-part-sink.worker.ts (the thread that hashes and writes the big part). A file of
 * its own so that neither side imports the other: the sink only names the worker's URL.
 * No key material crosses: the bytes are ciphertext, checked against the signed manifest.
 */

export type SinkRequest =
  /** Hash the bytes already in the file, `[start, end)`, into a fresh SHA-256 (a resumed download). */
  | { type: 'prefix'; id: number; start: number; end: number }
  /** Hash these bytes, then write them at `position`; the buffer is transferred. */
  | { type: 'write'; id: number; position: number; bytes: Uint8Array }
  /** Start a fresh SHA-256 (the file was truncated back to the big part's offset). */
  | { type: 'reset'; id: number }
  /** The SHA-256 of every byte hashed so far, hex. */
  | { type: 'digest'; id: number };

/**
 * `bytes`: a written request's buffer, transferred back for reuse. `error` carries an I/O
 * failure's message (a path and an errno code, never a secret).
 */
export type SinkReply =
  | { id: number; ok: true; digest?: string; bytes?: Uint8Array }
  | { id: number; ok: false; error: string; code?: string };
