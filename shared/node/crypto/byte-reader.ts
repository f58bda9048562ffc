/**
 * Reads exact-size pieces from an async byte stream (a Readable, a fetch body, an
 * array of buffers), holding at most one piece plus one source chunk: the
 * container's constant-memory streaming rests on it.
 */
export class ByteReader {
  private readonly iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private done = false;

  constructor(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array) {
    // A lone buffer is iterable too, but byte by byte: treat it as one piece.
    if (source instanceof Uint8Array) source = [source];
    this.iterator =
      Symbol.asyncIterator in source
        ? (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
        : (source as Iterable<Uint8Array>)[Symbol.iterator]();
  }

  private async fill(wanted: number): Promise<void> {
    while (this.pendingBytes < wanted && !this.done) {
      const next = await this.iterator.next();
      if (next.done === true) {
        this.done = true;
        break;
      }
      const value: unknown = next.value;
      if (!(value instanceof Uint8Array)) throw new TypeError('byte stream yielded a non-binary value');
      if (value.length === 0) continue;
      const piece = Buffer.isBuffer(value)
        ? value
        : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      this.pending.push(piece);
      this.pendingBytes += piece.length;
    }
  }

  /**
   * Exactly `length` bytes, or fewer only when the source ended first. When the
   * bytes span source pieces they are joined into `scratch` if it is big enough
   * (saving an allocation per chunk); the caller must then be done with the
   * result before the next read.
   */
  async read(length: number, scratch?: Buffer): Promise<Buffer> {
    await this.fill(length);
    const take = Math.min(length, this.pendingBytes);
    const first = this.pending[0];
    let out: Buffer;
    if (first !== undefined && first.length >= take) {
      out = first.subarray(0, take);
      if (first.length === take) this.pending.shift();
      else this.pending[0] = first.subarray(take);
    } else {
      out =
        scratch !== undefined && scratch.length >= take
          ? scratch.subarray(0, take)
          : Buffer.allocUnsafe(take);
      let written = 0;
      while (written < take) {
        const piece = this.pending[0]!;
        const n = Math.min(piece.length, take - written);
        piece.copy(out, written, 0, n);
        written += n;
        if (n === piece.length) this.pending.shift();
        else this.pending[0] = piece.subarray(n);
      }
    }
    this.pendingBytes -= take;
    return out;
  }

  /** True when the source has no more bytes. */
  async atEnd(): Promise<boolean> {
    await this.fill(1);
    return this.pendingBytes === 0;
  }

  /** Stops the source early (e.g. after an integrity failure), releasing its resources. */
  async cancel(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.done) {
      this.done = true;
      await this.iterator.return?.();
    }
  }
}
