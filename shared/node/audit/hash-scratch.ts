/**
 * A reusable input buffer for node:crypto's one-shot `hash()`: a fixed prefix, then bytes copied
 * in from a larger buffer, then an optional fixed suffix. The streaming audit verifier hashes two
 * such inputs per entry (the chain hash and the Merkle leaf); building them here costs one memcpy
 * instead of a concatenation or a decoded string, and the exact-length view handed to `hash()` is
 * cached per length (entries have few distinct lengths), so no Buffer object is made per entry
 * either (`npm run bench -- audit`, verify_1m_s).
 *
 * HAZMAT: a view is valid only until the next {@link HashScratch.fill}; pass it straight to a
 * synchronous hash and never keep it.
 */
const MAX_CACHED_VIEWS = 1024;

export class HashScratch {
  #buffer: Buffer;
  readonly #prefix: Buffer;
  #views = new Map<number, Buffer>();

  constructor(prefix: Uint8Array) {
    this.#prefix = Buffer.from(prefix);
    this.#buffer = Buffer.allocUnsafe(Math.max(4096, 2 * this.#prefix.length));
    this.#prefix.copy(this.#buffer, 0);
  }

  /** prefix ‖ source[start, end) ‖ suffix, as a view into the scratch buffer. */
  fill(source: Buffer, start: number, end: number, suffix?: Uint8Array): Buffer {
    const size = this.#prefix.length + (end - start) + (suffix?.length ?? 0);
    if (this.#buffer.length < size) {
      this.#buffer = Buffer.allocUnsafe(2 * size);
      this.#prefix.copy(this.#buffer, 0);
      this.#views = new Map();
    }
    source.copy(this.#buffer, this.#prefix.length, start, end);
    if (suffix) this.#buffer.set(suffix, size - suffix.length);
    let view = this.#views.get(size);
    if (view === undefined) {
      if (this.#views.size >= MAX_CACHED_VIEWS) this.#views.clear();
      view = this.#buffer.subarray(0, size);
      this.#views.set(size, view);
    }
    return view;
  }
}
